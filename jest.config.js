// Tests are transpiled by SWC, not type-checked: `tsc -b` (TypeScript 7) does the type-checking
// before jest runs (see README, "Toolchain"). ts-jest needs the compiler API that TypeScript 7
// no longer ships.
/** @type {import('jest').Config} */
const swc = [
  "@swc/jest",
  { jsc: { parser: { syntax: "typescript" }, target: "es2023" }, module: { type: "commonjs" } },
];

module.exports = {
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
