export { CheckpointBadge } from './CheckpointBadge.tsx';
