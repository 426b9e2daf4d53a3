export { IncidentList } from './IncidentList.tsx';
