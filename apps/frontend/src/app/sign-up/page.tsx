import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AuthForm } from '@/app/ui/auth/auth-form';

export const metadata: Metadata = { title: 'Sign up' };

export default function Page() {
  return (
    <Suspense>
      <AuthForm mode="sign-up" />
    </Suspense>
  );
}
