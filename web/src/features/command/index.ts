export { CommandChart } from './CommandChart.tsx';
