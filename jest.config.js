// Tests are transpiled by SWC, not type-checked: `tsc -b` (TypeScript 7) does the type-checking
// before jest runs (see README, "Toolchain"). ts-jest needs the compiler API that TypeScript 7
// no longer ships.
/** @type {import('jest').Config} */
const swc = [
  "@swc/jest",
  { jsc: { parser: { syntax: "typescript" }, target: "es2023" }, module: { type: "commonjs" } },
];

module.exports = {
  // Jest's default leaves one core to the main process: on this 2-core machine that means a
  // single worker. Two workers cut the suite from ~48 s to ~38 s here.
  maxWorkers: "100%",
  projects: [
    {
      displayName: "platform",
      rootDir: __dirname,
      testEnvironment: "node",
      roots: ["<rootDir>/test"],
      testMatch: ["**/*.test.ts"],
      transform: { "^.+\\.ts$": swc },
      moduleNameMapper: {
        "^@search-platform/service/settings$": "<rootDir>/service/src/config/index.ts",
      },
      setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
    },
    "<rootDir>/service",
  ],
};
