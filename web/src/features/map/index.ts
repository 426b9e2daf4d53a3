export { IncidentMap } from './IncidentMap.tsx';
