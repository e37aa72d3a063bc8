// Source fixes applied to mediasoup 3.12.16's worker before it is built (build-mediasoup-worker.mjs). Each is a
// small, exact replacement: if the anchor text is not found (another mediasoup version), the build stops rather
// than build something unpatched. The patches are part of the worker cache key, so a change rebuilds it.

export const WORKER_PATCHES = [
  {
    // Upstream issue versatica/mediasoup#906, fixed upstream in a later release (PR #1653). Chromium pads its
    // bandwidth probes with copies of recently sent packets, sent on the RTX stream. When such a copy carries a
    // packet that was lost and that the producer has not NACKed yet (NACKs wait 10 ms, then a 40 ms timer),
    // 3.12 took it off the NACK list and dropped it: the packet was never asked for again and never forwarded,
    // and every viewer's picture stopped until the next key frame. Measured through a 5 % lossy uplink, one
    // lost packet in eight ended that way (issue 19). A copy that repairs a hole is forwarded like a NACKed
    // retransmission.
    file: 'src/RTC/NackGenerator.cpp',
    why: 'forward an RTX copy of a packet still on the NACK list, NACKed yet or not',
    find: `				auto retries = it->second.retries;

				this->nackList.erase(it);

				if (retries != 0)
				{
					return true;
				}
				else
				{
					return false;
				}`,
    replace: `				auto retries = it->second.retries;

				this->nackList.erase(it);

				// vj patch: an RTX copy fills the hole whether or not the NACK went out yet.
				if (retries != 0 || isRecovered)
				{
					return true;
				}
				else
				{
					return false;
				}`,
  },
  {
    // Same upstream issue: an RTX copy of a packet newer than any seen (its original was lost, or is late) was
    // noted as recovered, so it would never be NACKed, and then dropped. Forward it; should the original still
    // come, the viewer's jitter buffer discards the duplicate.
    file: 'src/RTC/NackGenerator.cpp',
    why: 'forward an RTX copy of a packet newer than any seen',
    find: `			// Do not let a packet pass if it's newer than last seen seq and came via
			// RTX.
			return false;`,
    replace: `			// vj patch: let it pass; it is marked recovered so it is never NACKed.
			return true;`,
  },
];

/** Applies every patch to the worker tree at `workerDir`; throws if an anchor is missing or not unique. */
export function applyWorkerPatches(fs, path, workerDir) {
  for (const p of WORKER_PATCHES) {
    const file = path.join(workerDir, p.file);
    const text = fs.readFileSync(file, 'utf8');
    const at = text.indexOf(p.find);
    if (at < 0 || text.indexOf(p.find, at + 1) >= 0) {
      throw new Error(`mediasoup worker patch "${p.why}": its anchor in ${p.file} was ${at < 0 ? 'not found' : 'found twice'}`);
    }
    fs.writeFileSync(file, text.slice(0, at) + p.replace + text.slice(at + p.find.length));
  }
}
