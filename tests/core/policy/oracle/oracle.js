// SPDX-License-Identifier: Apache-2.0
// The official Cedar engine as an oracle: reads one JSON request per line on stdin
// ({policies, entities, principal, action, resource, context[, schema]}) and writes one JSON
// answer per line: {"decision", "reason": [...], "errors": [...]} or {"failure": "..."}.
'use strict';
const path = require('path');
const readline = require('readline');

let cedar;
try {
    cedar = require(path.join(process.env.CEDAR_ORACLE_MODULES || path.join(__dirname, 'node_modules'),
                              '@cedar-policy/cedar-wasm/nodejs'));
} catch (e) {
    process.stdout.write(JSON.stringify({ unavailable: String(e && e.message || e) }) + '\n');
    process.exit(3);
}
process.stdout.write(JSON.stringify({ ready: cedar.getCedarVersion ? cedar.getCedarVersion() : 'unknown' }) + '\n');

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
    if (!line.trim()) return;
    let answer;
    try {
        const c = JSON.parse(line);
        const call = {
            principal: c.principal, action: c.action, resource: c.resource, context: c.context || {},
            policies: { staticPolicies: c.policies }, entities: c.entities,
        };
        if (c.schema) { call.schema = c.schema; call.validateRequest = false; }
        const r = cedar.isAuthorized(call);
        if (r.type === 'success') {
            answer = {
                decision: r.response.decision,
                reason: r.response.diagnostics.reason.slice().sort(),
                errors: r.response.diagnostics.errors.map((e) => e.policyId).sort(),
                messages: r.response.diagnostics.errors.map((e) => e.error.message),
            };
        } else {
            answer = { failure: r.errors.map((e) => e.message).join('; ') };
        }
    } catch (e) {
        answer = { failure: 'oracle: ' + String(e && e.message || e) };
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
});
