/// <reference types="next" />
/// <reference types="next/image-types/global" />
import "./.next-test/dfdea5eaa5e55be4/types/routes.d.ts";
import "./.next-test/dfdea5eaa5e55be4/types/root-params.d.ts";

// NOTE: This file should not be edited
// see https://nextjs.org/docs/app/api-reference/config/typescript for more information.
