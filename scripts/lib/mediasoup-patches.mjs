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
  // A key frame cache (issue 13). The kiosk's encoder acts on one key frame request per 300 ms and answers it
  // with a key frame on every layer; a call view that asks just after another viewer (a wall tile stepping up a
  // layer, the recorder starting) waited for the producer's request window to end, then for the encoder: traced,
  // the slowest first pictures had a key frame pass through the SFU 65-190 ms before the call view was ready. The
  // producer keeps, per layer, the packets since its last key frame (at most 400 ms, 256 packets), and a consumer
  // that has sent nothing yet and asks for a key frame on that layer is given them at once instead of a new
  // request. Only for producers with a request window (the project's cameras).
  {
    file: 'include/RTC/Producer.hpp',
    why: 'key frame cache: includes',
    find: `#include "RTC/RtpStreamRecv.hpp"`,
    replace: `#include "RTC/RtpStreamRecv.hpp"
#include <deque>
#include <memory>
#include <unordered_map>`,
  },
  {
    file: 'include/RTC/Producer.hpp',
    why: 'key frame cache: lookup',
    find: `		void RequestKeyFrame(uint32_t mappedSsrc);`,
    replace: `		void RequestKeyFrame(uint32_t mappedSsrc);
		// vj patch: the packets of layer mappedSsrc since its last key frame, when they can be replayed (recent, no hole).
		const std::deque<std::unique_ptr<RTC::RtpPacket>>* GetKeyFrameCache(uint32_t mappedSsrc) const;`,
  },
  {
    file: 'include/RTC/Producer.hpp',
    why: 'key frame cache: storage',
    find: `		RTC::RtpPacket* currentRtpPacket{ nullptr };`,
    replace: `		RTC::RtpPacket* currentRtpPacket{ nullptr };
		// vj patch: per mapped ssrc, clones of the packets from the first packet of the last key frame on.
		struct KeyFrameCache
		{
			std::deque<std::unique_ptr<RTC::RtpPacket>> packets;
			uint64_t keyFrameAtMs{ 0u };
		};
		std::unordered_map<uint32_t, KeyFrameCache> mapMappedSsrcKeyFrameCache;
		bool keyFrameCacheEnabled{ false };
		void CacheRtpPacket(RTC::RtpPacket* packet);`,
  },
  {
    file: 'src/RTC/Producer.cpp',
    why: 'key frame cache: constants',
    find: `#include "RTC/RTCP/XrReceiverReferenceTime.hpp"`,
    replace: `#include "RTC/RTCP/XrReceiverReferenceTime.hpp"
#include "RTC/SeqManager.hpp"

// vj patch: how long and how many packets a layer's key frame cache holds: one request window and a margin.
static constexpr uint64_t KeyFrameCacheMaxAgeMs{ 400u };
static constexpr size_t KeyFrameCacheMaxPackets{ 256u };`,
  },
  {
    file: 'src/RTC/Producer.cpp',
    why: 'key frame cache: only where requests have a window',
    find: `			this->keyFrameRequestManager = new RTC::KeyFrameRequestManager(this, keyFrameRequestDelay);`,
    replace: `			this->keyFrameRequestManager = new RTC::KeyFrameRequestManager(this, keyFrameRequestDelay);
			this->keyFrameCacheEnabled   = keyFrameRequestDelay > 0u; // vj patch`,
  },
  {
    file: 'src/RTC/Producer.cpp',
    why: 'key frame cache: filled before the packet goes to the consumers',
    find: `		this->listener->OnProducerRtpPacketReceived(this, packet);

		return result;`,
    replace: `		CacheRtpPacket(packet); // vj patch

		this->listener->OnProducerRtpPacketReceived(this, packet);

		return result;`,
  },
  {
    file: 'src/RTC/Producer.cpp',
    why: 'key frame cache: emptied on pause',
    find: `				this->paused = true;

				MS_DEBUG_DEV("Producer paused [producerId:%s]", this->id.c_str());`,
    replace: `				this->paused = true;
				this->mapMappedSsrcKeyFrameCache.clear(); // vj patch

				MS_DEBUG_DEV("Producer paused [producerId:%s]", this->id.c_str());`,
  },
  {
    file: 'src/RTC/Producer.cpp',
    why: 'key frame cache: filling and lookup',
    find: `	inline void Producer::OnKeyFrameNeeded(`,
    replace: `	// vj patch: see KeyFrameCache (Producer.hpp).
	void Producer::CacheRtpPacket(RTC::RtpPacket* packet)
	{
		if (!this->keyFrameCacheEnabled)
			return;

		auto& cache      = this->mapMappedSsrcKeyFrameCache[packet->GetSsrc()];
		auto& packets    = cache.packets;
		const auto nowMs = DepLibUV::GetTimeMs();
		const auto seq   = packet->GetSequenceNumber();

		if (packet->GetSize() > RTC::MtuSize)
		{
			packets.clear();

			return;
		}

		if (packet->IsKeyFrame())
		{
			// A late copy (RTX) of the first packet of a key frame older than the one held.
			// clang-format off
			if (
				!packets.empty() &&
				packets.front()->IsKeyFrame() &&
				RTC::SeqManager<uint16_t>::IsSeqLowerThan(seq, packets.front()->GetSequenceNumber())
			)
			// clang-format on
			{
				return;
			}

			// What came before this key frame is of no use any more.
			// clang-format off
			while (
				!packets.empty() &&
				!RTC::SeqManager<uint16_t>::IsSeqHigherThan(packets.front()->GetSequenceNumber(), seq)
			)
			// clang-format on
			{
				packets.pop_front();
			}

			packets.emplace_front(packet->Clone());
			cache.keyFrameAtMs = nowMs;

			return;
		}

		if (packets.empty() || !packets.front()->IsKeyFrame())
			return;

		if (nowMs - cache.keyFrameAtMs > KeyFrameCacheMaxAgeMs || packets.size() >= KeyFrameCacheMaxPackets)
		{
			packets.clear();

			return;
		}

		// In sequence order (almost always at the back); a duplicate, or a packet older than the key frame, is not kept.
		auto pos = packets.end();

		// clang-format off
		while (
			pos != packets.begin() &&
			RTC::SeqManager<uint16_t>::IsSeqHigherThan((*std::prev(pos))->GetSequenceNumber(), seq)
		)
		// clang-format on
		{
			--pos;
		}

		if (pos == packets.begin() || (*std::prev(pos))->GetSequenceNumber() == seq)
			return;

		packets.emplace(pos, packet->Clone());
	}

	// vj patch: see KeyFrameCache (Producer.hpp).
	const std::deque<std::unique_ptr<RTC::RtpPacket>>* Producer::GetKeyFrameCache(uint32_t mappedSsrc) const
	{
		if (!this->keyFrameCacheEnabled || this->paused)
			return nullptr;

		auto it = this->mapMappedSsrcKeyFrameCache.find(mappedSsrc);

		if (it == this->mapMappedSsrcKeyFrameCache.end())
			return nullptr;

		const auto& cache   = it->second;
		const auto& packets = cache.packets;

		// clang-format off
		if (
			packets.empty() ||
			!packets.front()->IsKeyFrame() ||
			DepLibUV::GetTimeMs() - cache.keyFrameAtMs > KeyFrameCacheMaxAgeMs
		)
		// clang-format on
		{
			return nullptr;
		}

		// No hole: a packet the viewer never got could not be sent to it again (its consumer never had it).
		const uint16_t span =
		  static_cast<uint16_t>(packets.back()->GetSequenceNumber() - packets.front()->GetSequenceNumber());

		if (static_cast<size_t>(span) + 1u != packets.size())
			return nullptr;

		return std::addressof(packets);
	}

	inline void Producer::OnKeyFrameNeeded(`,
  },
  {
    file: 'include/RTC/Consumer.hpp',
    why: 'key frame cache: a consumer may take a replay',
    find: `		virtual void SendRtpPacket(RTC::RtpPacket* packet, std::shared_ptr<RTC::RtpPacket>& sharedPacket) = 0;`,
    replace: `		virtual void SendRtpPacket(RTC::RtpPacket* packet, std::shared_ptr<RTC::RtpPacket>& sharedPacket) = 0;
		// vj patch: true when the replayed key frame and the packets after it gave this consumer its picture.
		virtual bool ReplayKeyFrame(
		  uint32_t /*mappedSsrc*/, const std::deque<std::unique_ptr<RTC::RtpPacket>>& /*packets*/)
		{
			return false;
		}`,
  },
  {
    file: 'include/RTC/Consumer.hpp',
    why: 'key frame cache: Consumer includes',
    find: `#include "RTC/RTCP/CompoundPacket.hpp"`,
    replace: `#include "RTC/RTCP/CompoundPacket.hpp"
#include <deque>
#include <memory>`,
  },
  {
    file: 'include/RTC/SimulcastConsumer.hpp',
    why: 'key frame cache: SimulcastConsumer takes a replay',
    find: `		void SendRtpPacket(RTC::RtpPacket* packet, std::shared_ptr<RTC::RtpPacket>& sharedPacket) override;`,
    replace: `		void SendRtpPacket(RTC::RtpPacket* packet, std::shared_ptr<RTC::RtpPacket>& sharedPacket) override;
		bool ReplayKeyFrame(
		  uint32_t mappedSsrc, const std::deque<std::unique_ptr<RTC::RtpPacket>>& packets) override;`,
  },
  {
    file: 'src/RTC/SimulcastConsumer.cpp',
    why: 'key frame cache: the replay',
    find: `	bool SimulcastConsumer::GetRtcp(RTC::RTCP::CompoundPacket* packet, uint64_t nowMs)`,
    replace: `	// vj patch: only into a consumer that has sent nothing yet and waits for a key frame on exactly this layer. One
	// that has sent frames (resumed after a pause, or switching layers) has sent newer ones than the cached key frame.
	bool SimulcastConsumer::ReplayKeyFrame(
	  uint32_t mappedSsrc, const std::deque<std::unique_ptr<RTC::RtpPacket>>& packets)
	{
		MS_TRACE();

		auto it = this->mapMappedSsrcSpatialLayer.find(mappedSsrc);

		if (it == this->mapMappedSsrcSpatialLayer.end() || packets.empty())
			return false;

		const int16_t spatialLayer = it->second;

		// clang-format off
		if (
			!IsActive() ||
			this->rtpStream->GetMaxPacketMs() != 0u ||
			this->currentSpatialLayer != -1 ||
			!this->syncRequired ||
			this->targetSpatialLayer != spatialLayer ||
			this->targetTemporalLayer == -1
		)
		// clang-format on
		{
			return false;
		}

		// The frames before the newest go out 1 ms apart just before it: with their own timestamps the receiver
		// would play the old ones at their pace and stay that far behind the live picture for seconds.
		size_t frames{ 0u };
		uint32_t lastTs{ 0u };

		for (const auto& p : packets)
		{
			if (frames == 0u || p->GetTimestamp() != lastTs)
			{
				++frames;
				lastTs = p->GetTimestamp();
			}
		}

		const uint32_t tailTs = packets.back()->GetTimestamp();
		const uint32_t stepTs = this->rtpStream->GetClockRate() / 1000u;
		const auto& mid       = this->rtpParameters.mid;
		size_t frame{ 0u };

		lastTs = packets.front()->GetTimestamp();

		for (const auto& p : packets)
		{
			const uint32_t origTs = p->GetTimestamp();

			if (origTs != lastTs)
			{
				++frame;
				lastTs = origTs;
			}

			p->SetTimestamp(tailTs - static_cast<uint32_t>(frames - 1u - frame) * stepTs);

			if (!mid.empty())
				p->UpdateMid(mid);

			// Its own copy for the retransmission buffer: never the cached packet, which a resend rewrites in place.
			std::shared_ptr<RTC::RtpPacket> sharedPacket;

			SendRtpPacket(p.get(), sharedPacket);

			p->SetTimestamp(origTs);
		}

		return this->currentSpatialLayer == spatialLayer;
	}

	bool SimulcastConsumer::GetRtcp(RTC::RTCP::CompoundPacket* packet, uint64_t nowMs)`,
  },
  {
    file: 'include/RTC/Router.hpp',
    why: 'key frame cache: no replay inside a replay',
    find: `		absl::flat_hash_map<RTC::Consumer*, RTC::Producer*> mapConsumerProducer;`,
    replace: `		absl::flat_hash_map<RTC::Consumer*, RTC::Producer*> mapConsumerProducer;
		bool replayingKeyFrame{ false }; // vj patch`,
  },
  {
    file: 'src/RTC/Router.cpp',
    why: 'key frame cache: a consumer asking for a key frame gets the cached one when it can',
    find: `		auto* producer = this->mapConsumerProducer.at(consumer);

		producer->RequestKeyFrame(mappedSsrc);`,
    replace: `		auto* producer = this->mapConsumerProducer.at(consumer);

		// vj patch: the producer's cached key frame, when the consumer can take it, instead of a new request: a new
		// one would bring a key frame on every layer to every viewer and open the producer's request window.
		if (!this->replayingKeyFrame)
		{
			const auto* packets = producer->GetKeyFrameCache(mappedSsrc);

			if (packets)
			{
				this->replayingKeyFrame = true;

				const bool replayed = consumer->ReplayKeyFrame(mappedSsrc, *packets);

				this->replayingKeyFrame = false;

				if (replayed)
					return;
			}
		}

		producer->RequestKeyFrame(mappedSsrc);`,
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
