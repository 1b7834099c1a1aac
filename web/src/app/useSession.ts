import { useSyncExternalStore } from 'react';
import { isSignedIn, onSessionChange } from '../api/session';

/** useSignedIn re-renders when the caller signs in or out (or the session expires). */
export function useSignedIn(): boolean {
  return useSyncExternalStore(onSessionChange, isSignedIn, isSignedIn);
}
