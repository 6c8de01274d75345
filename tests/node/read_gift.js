// Parse a GIFT file with gift-pegjs (the parser Moodle-compatible tools build on) and print
// what it read as JSON: one object per question. Used by tests/test_exports_readers.py.
const fs = require("fs");
const { parse } = require("gift-pegjs");

const questions = parse(fs.readFileSync(process.argv[2], "utf8"));
process.stdout.write(JSON.stringify(questions));
