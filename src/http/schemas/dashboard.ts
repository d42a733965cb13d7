import { Type } from 'typebox';
import { ROLES } from '../../domain/roles.js';
import { MAX_PASSWORD_LENGTH } from '../../domain/user.js';
import { AccountView } from './account.js';
import { ErrorResponse, Nullable, StringEnum, Timestamp } from './common.js';

export const RoleSchema = StringEnum(ROLES, { description: 'owner (everything, members included), developer (keys and webhook endpoints), viewer (read only).' });

const Email = Type.String({ minLength: 3, maxLength: 254, description: 'Email address; compared lower-cased.' });
const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH });
const Token = Type.String({ minLength: 1, maxLength: 200, description: 'The token from the invitation link (after #token=).' });

export const SignInBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false });

export const UserView = Type.Object({
  id: Type.String(),
  object: Type.Literal('user'),
  email: Type.String(),
  name: Type.String(),
  createdAt: Timestamp,
});

export const MembershipView = Type.Object({
  accountId: Type.String(),
  role: RoleSchema,
  permissions: Type.Array(Type.String(), { description: 'The operations this role may perform on the account (and, for a partner or the operator, on the accounts below it).' }),
  account: AccountView,
});

export const SessionInfoView = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('session'),
    user: UserView,
    memberships: Type.Array(MembershipView),
    csrfToken: Type.String({ description: 'Send it as X-CSRF-Token on every change made with this session.' }),
    createdAt: Timestamp,
    expiresAt: Timestamp,
    idleExpiresAt: Timestamp,
  },
  { description: 'The signed-in dashboard session: who, which accounts with which role, and its CSRF token.' },
);

export const SessionView = Type.Object({
  id: Type.String(),
  object: Type.Literal('session'),
  current: Type.Boolean(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  expiresAt: Timestamp,
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
});

export const InviteBody = Type.Object({ email: Email, role: RoleSchema }, { additionalProperties: false });

export const InvitationView = Type.Object({
  id: Type.String(),
  object: Type.Literal('invitation'),
  accountId: Type.String(),
  email: Nullable(Type.String()),
  role: RoleSchema,
  invitedBy: Type.Object({ type: Type.String(), id: Type.String() }),
  createdAt: Timestamp,
  expiresAt: Timestamp,
});

export const IssuedInvitationView = Type.Intersect([
  InvitationView,
  Type.Object({ url: Type.String({ description: 'The one-time link, shown this once: send it to the person invited.' }) }),
]);

export const InvitationLookupBody = Type.Object({ token: Token }, { additionalProperties: false });

export const InvitationLookupView = Type.Object({
  object: Type.Literal('invitation_lookup'),
  email: Nullable(Type.String({ description: 'Null: the person accepting chooses the email (the first owner).' })),
  role: RoleSchema,
  account: Type.Object({ id: Type.String(), name: Type.String(), type: Type.String() }),
  existingUser: Type.Boolean({ description: 'The email already has a dashboard user: accepting asks for its password.' }),
  expiresAt: Timestamp,
});

export const AcceptInvitationBody = Type.Object(
  {
    token: Token,
    password: Password,
    email: Type.Optional(Email),
    name: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const MemberView = Type.Object({
  object: Type.Literal('member'),
  userId: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  joinedAt: Timestamp,
});

export const UpdateMemberBody = Type.Object({ role: RoleSchema }, { additionalProperties: false });

export const UsageView = Type.Object(
  {
    object: Type.Literal('key_usage'),
    keyId: Type.String(),
    environment: Type.String(),
    hours: Type.Integer(),
    buckets: Type.Array(
      Type.Object({
        hour: Timestamp,
        ok: Type.Integer(),
        '401': Type.Integer(),
        '403': Type.Integer(),
        '429': Type.Integer(),
      }),
    ),
    totals: Type.Object({ ok: Type.Integer(), '401': Type.Integer(), '403': Type.Integer(), '429': Type.Integer() }),
  },
  { description: 'Requests made with a key per hour, by outcome. The current hour lags by up to TESSERA_USAGE_FLUSH_MS.' },
);

export const SESSION_ERRORS = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse };
