/// <reference types="next" />
/// <reference types="next/image-types/global" />
import "./.next-test/5b4daa8aa452473b/types/routes.d.ts";
import "./.next-test/5b4daa8aa452473b/types/root-params.d.ts";

// NOTE: This file should not be edited
// see https://nextjs.org/docs/app/api-reference/config/typescript for more information.
