import { Testing } from "cdktf";
// Type-only: brings cdktf's matcher declarations (toHaveResourceWithProperties, ...) into every
// test file for `tsc -b`; SWC strips it, and setupJest registers the matchers at run time.
import type {} from "cdktf/lib/testing/adapters/jest";

Testing.setupJest();
