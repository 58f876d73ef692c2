/** The dashboard signs in once (POST /api/session) and its browser then sends the token as this cookie. */
export const SESSION_COOKIE = 'morphsweep_token';
