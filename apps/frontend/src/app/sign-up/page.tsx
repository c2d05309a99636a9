import type { Metadata } from 'next';
import { Suspense } from 'react';
import { redirectWhenSignedIn } from '@/app/lib/data';
import { AuthForm } from '@/app/ui/auth/auth-form';

export const metadata: Metadata = { title: 'Sign up' };

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await redirectWhenSignedIn(searchParams);
  return (
    <Suspense>
      <AuthForm mode="sign-up" />
    </Suspense>
  );
}
