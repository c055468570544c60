// SPDX-License-Identifier: Apache-2.0
// The benchmark workloads through cedar-wasm: each policy set pre-parsed once
// (preparsePolicySet), then statefulIsAuthorized per request. Prints JSON
// {name: {median_ns, allow_ratio}}. Usage: node bench_wasm.js WORKLOADS.json NODE_MODULES_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');

const [workloadsFile, modules] = process.argv.slice(2);
const cedar = require(path.join(modules, '@cedar-policy/cedar-wasm/nodejs'));
const workloads = JSON.parse(fs.readFileSync(workloadsFile, 'utf8'));

const results = {};
// Node 20's V8 aborts ("unreachable code" in the deoptimizer) inside cedar-wasm on the
// 10,000-policy set, so the wasm side stops at 1,000 policies.
const maxPolicies = 1000;
for (const w of workloads) {
    const id = w.name;
    if (w.policies.split('\n').length - 1 > maxPolicies) {
        process.stderr.write(id + ' skipped (more than ' + maxPolicies + ' policies)\n');
        continue;
    }
    const parsed = cedar.preparsePolicySet(id, { staticPolicies: w.policies });
    if (parsed.type !== 'success') throw new Error(id + ': ' + JSON.stringify(parsed.errors));
    const calls = w.requests.map((r) => ({
        principal: r.principal, action: r.action, resource: r.resource, context: r.context,
        entities: r.entities, preparsedPolicySetId: id,
    }));
    const run = () => {
        let allowed = 0;
        for (const c of calls) {
            const a = cedar.statefulIsAuthorized(c);
            if (a.type !== 'success') throw new Error(id + ': ' + JSON.stringify(a.errors));
            if (a.response.decision === 'allow') allowed++;
        }
        return allowed;
    };
    for (let i = 0; i < 20; i++) run(); // warm up
    const samples = [];
    let allowed = 0;
    const deadline = performance.now() + 400;
    while (samples.length < 5 || performance.now() < deadline) {
        const t0 = performance.now();
        allowed = run();
        samples.push(((performance.now() - t0) * 1e6) / calls.length);
        if (samples.length >= 500) break;
    }
    samples.sort((a, b) => a - b);
    process.stderr.write(id + ' ' + samples[Math.floor(samples.length / 2)].toFixed(0) + ' ns\n');
    results[id] = { median_ns: samples[Math.floor(samples.length / 2)], allow_ratio: allowed / calls.length };
}
process.stdout.write(JSON.stringify(results) + '\n');
