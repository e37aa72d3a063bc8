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
  // Key frame requests, one window per producer. libwebrtc acts on one key frame request per 300 ms for a whole
  // simulcast stream (EncoderRtcpFeedback) and answers it with a key frame on every layer; a request for another
  // layer inside those 300 ms is ignored. 3.12 spaces requests per layer (SSRC) only, so a request for layer 2
  // sent just after one for layer 0 was dropped by the sender and asked again only after 1 s: an officer
  // answering while the wall raised its tile, or the recorder asked for its segment's key frame, waited a second
  // more for the first picture (issue 13). Now a request for another layer inside the producer's delay waits for
  // the window's end and then goes out; requests arriving together (within 5 ms) still go out together, and a
  // key frame that reaches a layer answers the request still waiting for it there.
  {
    file: 'include/RTC/KeyFrameRequestManager.hpp',
    why: 'a key frame request window per producer: the clock',
    find: `#include "handles/Timer.hpp"`,
    replace: `#include "DepLibUV.hpp"
#include "handles/Timer.hpp"`,
  },
  {
    file: 'include/RTC/KeyFrameRequestManager.hpp',
    why: 'a key frame request window per producer: its start',
    find: `		uint32_t keyFrameRequestDelay{ 0u }; // 0 means disabled.`,
    replace: `		uint32_t keyFrameRequestDelay{ 0u }; // 0 means disabled.
		// vj patch: when the producer's current window of key frame requests opened (any layer).
		uint64_t requestWindowStartMs{ 0u };

		// vj patch: every request that goes out (first, forced or repeated) opens the window when none is open.
		void SendRequest(uint32_t ssrc)
		{
			const uint64_t nowMs = DepLibUV::GetTimeMs();

			if (nowMs - this->requestWindowStartMs >= this->keyFrameRequestDelay)
				this->requestWindowStartMs = nowMs;

			this->listener->OnKeyFrameNeeded(this, ssrc);
		}`,
  },
  {
    file: 'src/RTC/KeyFrameRequestManager.cpp',
    why: 'a key frame request window per producer: the burst allowance',
    find: `#include "RTC/KeyFrameRequestManager.hpp"
#include "Logger.hpp"`,
    replace: `#include "RTC/KeyFrameRequestManager.hpp"
#include "Logger.hpp"

// vj patch: requests this close to the one that opened the window go out with it (they arrived together).
static constexpr uint64_t KeyFrameRequestBurstMs{ 5 };`,
  },
  {
    file: 'src/RTC/KeyFrameRequestManager.cpp',
    why: 'a key frame request window per producer: another layer waits for the window',
    find: `		// Otherwise create a delayer (not yet enabled) and continue.
		else
		{
			MS_DEBUG_DEV("creating a delayer for the given ssrc");

			this->mapSsrcKeyFrameRequestDelayer[ssrc] =
			  new KeyFrameRequestDelayer(this, ssrc, this->keyFrameRequestDelay);
		}`,
    replace: `		// Otherwise create a delayer (not yet enabled) and continue.
		else
		{
			// vj patch: a request for another layer went out less than the delay ago: the sender would ignore
			// this one, so it waits (enabled) for the window to close.
			const uint64_t sinceMs = DepLibUV::GetTimeMs() - this->requestWindowStartMs;

			if (sinceMs > KeyFrameRequestBurstMs && sinceMs < this->keyFrameRequestDelay)
			{
				auto* keyFrameRequestDelayer = new KeyFrameRequestDelayer(
				  this, ssrc, static_cast<uint32_t>(this->keyFrameRequestDelay - sinceMs));

				keyFrameRequestDelayer->SetKeyFrameRequested(true);
				this->mapSsrcKeyFrameRequestDelayer[ssrc] = keyFrameRequestDelayer;

				return;
			}

			MS_DEBUG_DEV("creating a delayer for the given ssrc");

			this->mapSsrcKeyFrameRequestDelayer[ssrc] =
			  new KeyFrameRequestDelayer(this, ssrc, this->keyFrameRequestDelay);
		}`,
  },
  {
    file: 'src/RTC/KeyFrameRequestManager.cpp',
    why: 'a key frame request window per producer: a request going out opens it',
    find: `	this->mapSsrcPendingKeyFrameInfo[ssrc] = new PendingKeyFrameInfo(this, ssrc);

	this->listener->OnKeyFrameNeeded(this, ssrc);
}`,
    replace: `	this->mapSsrcPendingKeyFrameInfo[ssrc] = new PendingKeyFrameInfo(this, ssrc);

	SendRequest(ssrc); // vj patch: opens the window

	// vj patch: not answered by the window's end, the request goes once more then (KeyFrameReceived calls that
	// off). The viewer cannot ask again itself: a simulcast consumer without a picture yet drops its browser's
	// PLIs (no current layer), so 3.12 left such a layer to its 1 s timer, and only when someone asked again.
	if (this->keyFrameRequestDelay > 0u)
	{
		auto itDelayer = this->mapSsrcKeyFrameRequestDelayer.find(ssrc);

		if (itDelayer != this->mapSsrcKeyFrameRequestDelayer.end())
			itDelayer->second->SetKeyFrameRequested(true);
	}
}`,
  },
  {
    file: 'src/RTC/KeyFrameRequestManager.cpp',
    why: 'a key frame request window per producer: a forced request opens it too',
    find: `		this->mapSsrcPendingKeyFrameInfo[ssrc] = new PendingKeyFrameInfo(this, ssrc);
	}

	this->listener->OnKeyFrameNeeded(this, ssrc);
}`,
    replace: `		this->mapSsrcPendingKeyFrameInfo[ssrc] = new PendingKeyFrameInfo(this, ssrc);
	}

	SendRequest(ssrc); // vj patch: opens the window
}`,
  },
  {
    file: 'src/RTC/KeyFrameRequestManager.cpp',
    why: 'a key frame request window per producer: a repeated request opens it too',
    find: `	MS_DEBUG_DEV("requesting key frame on timeout");

	this->listener->OnKeyFrameNeeded(this, pendingKeyFrameInfo->GetSsrc());`,
    replace: `	MS_DEBUG_DEV("requesting key frame on timeout");

	SendRequest(pendingKeyFrameInfo->GetSsrc()); // vj patch: opens the window`,
  },
  {
    // A request the sender ignored (it came inside the sender's own 300 ms, whose start the worker sees a little
    // late on a busy machine) left the layer waiting, and 3.12 asked again only when its 1 s timer ran out: one
    // call in eight on a loaded machine showed its first picture after 1.5 s (issue 13). Asked again for a layer
    // still waiting (by the request's own retry at the window's end, see "a request going out opens it", or by a
    // viewer), the worker sends the request now when the sender will take it: the producer's window has closed,
    // or another layer's request opened it within the burst allowance (two layers' requests waiting for the same
    // window end go out a millisecond apart). Such a resend does not arm another retry: one per request.
    file: 'src/RTC/KeyFrameRequestManager.cpp',
    why: 'a key frame request window per producer: a layer still waiting is asked for again when the window closes',
    find: `		auto* pendingKeyFrameInfo = it->second;

		// Re-request the key frame if not received on time.
		pendingKeyFrameInfo->SetRetryOnTimeout(true);

		return;`,
    replace: `		auto* pendingKeyFrameInfo = it->second;

		// vj patch: this layer still has no key frame from its last request (ignored or lost). No request went out
		// for a whole window, or one just opened it and this one goes with it: the sender takes it now.
		const uint64_t sinceWindowMs = DepLibUV::GetTimeMs() - this->requestWindowStartMs;

		if (
		  this->keyFrameRequestDelay > 0u &&
		  (sinceWindowMs >= this->keyFrameRequestDelay || sinceWindowMs <= KeyFrameRequestBurstMs))
		{
			pendingKeyFrameInfo->SetRetryOnTimeout(false);
			pendingKeyFrameInfo->Restart();
			SendRequest(ssrc);

			return;
		}

		// Re-request the key frame if not received on time.
		pendingKeyFrameInfo->SetRetryOnTimeout(true);

		return;`,
  },
  {
    file: 'src/RTC/KeyFrameRequestManager.cpp',
    why: 'a key frame request window per producer: a key frame answers a waiting request',
    find: `void RTC::KeyFrameRequestManager::KeyFrameReceived(uint32_t ssrc)
{
	MS_TRACE();
`,
    replace: `void RTC::KeyFrameRequestManager::KeyFrameReceived(uint32_t ssrc)
{
	MS_TRACE();

	// vj patch: a key frame on this layer (the sender makes one on every layer) answers a request still waiting
	// for the window: asking again when it closes would only bring a needless second key frame.
	auto itDelayer = this->mapSsrcKeyFrameRequestDelayer.find(ssrc);

	if (itDelayer != this->mapSsrcKeyFrameRequestDelayer.end())
		itDelayer->second->SetKeyFrameRequested(false);
`,
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
