import Type, { type Static } from 'typebox';
import { LIMITS, Text, Timestamp } from './common.js';

const Email = Type.String({ format: 'email', maxLength: LIMITS.email });
const Password = Type.String({ minLength: LIMITS.passwordMin, maxLength: LIMITS.passwordMax });

export const SignUpBody = Type.Object(
  {
    email: Email,
    password: Password,
    name: Text({ maxLength: LIMITS.userName }),
  },
  { additionalProperties: false },
);
export type SignUpBody = Static<typeof SignUpBody>;

export const SignInBody = Type.Object(
  {
    email: Email,
    password: Type.String({ minLength: 1, maxLength: LIMITS.passwordMax }),
    rememberMe: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type SignInBody = Static<typeof SignInBody>;

export const AuthUser = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  emailVerified: Type.Boolean(),
  image: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type AuthUser = Static<typeof AuthUser>;

/** Sign-up and sign-in answer the session token (usable as `Authorization: Bearer <token>`) and the user. */
export const AuthResponse = Type.Object({
  token: Type.String(),
  user: AuthUser,
});
export type AuthResponse = Static<typeof AuthResponse>;

export const Session = Type.Object({
  session: Type.Object({
    id: Type.String(),
    userId: Type.String(),
    expiresAt: Timestamp,
  }),
  user: AuthUser,
});
export type Session = Static<typeof Session>;
