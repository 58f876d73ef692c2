/// <reference types="next" />
/// <reference types="next/image-types/global" />
import "./.next-test/228dc9c34988f93a/types/routes.d.ts";
import "./.next-test/228dc9c34988f93a/types/root-params.d.ts";

// NOTE: This file should not be edited
// see https://nextjs.org/docs/app/api-reference/config/typescript for more information.
