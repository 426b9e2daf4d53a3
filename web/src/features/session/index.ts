export { LoginView } from './LoginView.tsx';
export { useLogout, useSession } from './useSession.ts';
