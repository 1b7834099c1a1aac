import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

// Lazy chunks and antd's first render take seconds on a busy 2-core CI machine: findBy*
// and waitFor wait up to 5 s rather than 1 s before failing.
configure({ asyncUtilTimeout: 5000 });

// antd's static message and Modal.confirm render in a React root of their own that
// cleanup does not unmount: its timers then fire after the file's DOM is gone and fail
// the run at random ("window is not defined"). The console goes through lib/feedback,
// inside Providers; antd warns of a static call once a themed ConfigProvider (Providers)
// has rendered, and that warning fails the test that made the call.
const consoleError = console.error;
console.error = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes('Static function can not consume context')) {
    throw new Error(`antd static feedback used outside the App context (use lib/feedback): ${args[0]}`);
  }
  consoleError(...args);
};

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

// antd reads these; happy-dom lacks matchMedia's listeners on some versions.
if (!window.matchMedia) {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }),
  });
}
