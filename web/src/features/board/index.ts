export { BoardView, type BoardPicture } from './BoardView.tsx';
