// Runs every benchmark; each prints its figures beside a baseline measured in the same run.
import './env.js';
import fs from 'node:fs';
import path from 'node:path';
import { runCryptoSuitesBench } from './crypto-suites.js';
import { runForwardingBench } from './forwarding.js';
import { runPetitionBench } from './petitions.js';
import { runRecordingBench } from './recording.js';
import { runRegistryBench } from './registry.js';
import { runSignalingBench } from './signaling.js';
import { runSubmitRateBench } from './submit-rate.js';
import { runTtff } from './ttff.js';
import { runWallBench } from './wall.js';

const results: Record<string, unknown> = { at: new Date().toISOString() };
const only = process.argv[2];
if (!only || only === 'petitions') results['petitions'] = await runPetitionBench();
if (!only || only === 'crypto-suites') results['cryptoSuites'] = await runCryptoSuitesBench();
if (!only || only === 'submit-rate') results['submitRate'] = await runSubmitRateBench();
if (!only || only === 'registry') results['registry'] = await runRegistryBench();
if (!only || only === 'recording') results['recording'] = await runRecordingBench();
if (!only || only === 'ttff') results['ttff'] = await runTtff();
if (!only || only === 'wall') results['wall'] = await runWallBench();
if (!only || only === 'signaling') results['signaling'] = await runSignalingBench();
if (!only || only === 'forwarding') results['forwarding'] = await runForwardingBench();
const dir = path.join(import.meta.dirname, 'results');
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(results, null, 2));
console.log(`\nresults written to ${path.relative(process.cwd(), path.join(dir, 'latest.json'))}`);
