#!/usr/bin/env node
// The npm registry proxy on these machines serves only Linux builds of platform
// packages (e.g. @turbo/darwin-64 answers 404), so `npm install` writes a lock
// file without the other platforms' optional dependencies, and `npm ci` then
// refuses it ("Missing: @turbo/darwin-64@ from lock file"). This adds an entry
// for every missing optional dependency whose name says its platform; npm ci
// skips such entries on a mismatching machine without fetching them.
// Idempotent. Run after `npm install` changes package-lock.json.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;

const PLATFORM = [
  [/darwin/, 'darwin'],
  [/linux/, 'linux'],
  [/win(32|dows)/, 'win32'],
];
const CPU = [
  [/arm64|aarch64/, 'arm64'],
  [/x64|-64$|x86_64/, 'x64'],
];

let added = 0;
for (const [path, meta] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const nested = `${path}/node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (packages[nested] || packages[hoisted]) continue;
    const os = PLATFORM.find(([re]) => re.test(name))?.[1];
    const cpu = CPU.find(([re]) => re.test(name))?.[1];
    if (!os || !cpu) {
      console.error(`lockfile-platforms: ${name} (optional dependency of ${path}) is missing and its platform is not in its name; run npm install on a machine that can fetch it`);
      process.exitCode = 1;
      continue;
    }
    packages[hoisted] = {
      version,
      cpu: [cpu],
      ...(meta.dev ? { dev: true } : {}),
      optional: true,
      os: [os],
    };
    added += 1;
  }
}

const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lockfile-platforms: ${added} platform entr${added === 1 ? 'y' : 'ies'} added`);
