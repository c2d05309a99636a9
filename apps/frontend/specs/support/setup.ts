import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';
import { navigation } from './navigation';

jest.mock('next/navigation', () => {
  const { navigation, Redirect } = require('./navigation') as typeof import('./navigation');
  return {
    useRouter: () => navigation.router,
    usePathname: () => navigation.pathname,
    useSearchParams: () => navigation.searchParams,
    // As Next's: it throws, and the framework catches it and navigates.
    redirect: (url: string) => {
      throw new Redirect(url);
    },
  };
});

beforeEach(() => navigation.reset());

// The CI machine is shared and slow at times: wait longer than RTL's 1 s default for UI updates.
configure({ asyncUtilTimeout: 10_000 });
