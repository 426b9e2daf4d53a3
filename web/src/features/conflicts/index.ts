export { ConflictAlerts } from './ConflictAlerts.tsx';
