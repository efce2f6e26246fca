#include "polytls/transport.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>

namespace polytls {

// Pipe holds the two byte queues of a pair: queue[i] is what side i reads.
struct MemoryTransport::Pipe {
  std::mutex mutex;
  std::condition_variable readable;
  std::deque<uint8_t> queue[2];
  bool closed[2] = {false, false};  // closed[i]: side i will send no more
};

MemoryTransport::MemoryTransport(std::shared_ptr<Pipe> pipe, int side,
                                 MemoryTransportOptions options)
    : pipe_(std::move(pipe)), side_(side), options_(options) {}

MemoryTransport::~MemoryTransport() {
  close();
}

void MemoryTransport::close() {
  if (!pipe_) return;
  {
    std::lock_guard lock(pipe_->mutex);
    pipe_->closed[side_] = true;
  }
  pipe_->readable.notify_all();
}

std::size_t MemoryTransport::pending() const {
  std::lock_guard lock(pipe_->mutex);
  return pipe_->queue[side_].size();
}

Result<std::size_t> MemoryTransport::send(std::span<const uint8_t> data) {
  const int peer = 1 - side_;
  {
    std::lock_guard lock(pipe_->mutex);
    if (pipe_->closed[side_]) {
      return Error(ErrorCode::io, "memory transport: send after close");
    }
    pipe_->queue[peer].insert(pipe_->queue[peer].end(), data.begin(), data.end());
  }
  pipe_->readable.notify_all();
  return data.size();
}

Result<std::size_t> MemoryTransport::recv(std::span<uint8_t> buffer) {
  const int peer = 1 - side_;
  std::unique_lock lock(pipe_->mutex);
  std::deque<uint8_t> &queue = pipe_->queue[side_];
  if (queue.empty() && !pipe_->closed[peer]) {
    if (!options_.blocking) return Error(ErrorCode::want_read, {});
    const bool ready = pipe_->readable.wait_for(
        lock, options_.timeout, [&] { return !queue.empty() || pipe_->closed[peer]; });
    if (!ready) return Error(ErrorCode::timeout, "memory transport: nothing to read in time");
  }
  if (queue.empty()) return std::size_t{0};  // the peer closed its side
  std::size_t n = std::min(buffer.size(), queue.size());
  if (options_.max_chunk != 0) n = std::min(n, options_.max_chunk);
  std::copy_n(queue.begin(), n, buffer.begin());
  queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

std::pair<std::unique_ptr<MemoryTransport>, std::unique_ptr<MemoryTransport>> make_memory_pair(
    const MemoryTransportOptions &options) {
  auto pipe = std::make_shared<MemoryTransport::Pipe>();
  return {std::make_unique<MemoryTransport>(pipe, 0, options),
          std::make_unique<MemoryTransport>(pipe, 1, options)};
}

Result<std::size_t> TapTransport::send(std::span<const uint8_t> data) {
  auto sent = inner_->send(data);
  if (sent && *sent > 0) {
    segments_.push_back(Segment{Direction::sent,
                                std::chrono::steady_clock::now(),
                                {data.begin(), data.begin() + static_cast<std::ptrdiff_t>(*sent)}});
  }
  return sent;
}

Result<std::size_t> TapTransport::recv(std::span<uint8_t> buffer) {
  auto received = inner_->recv(buffer);
  if (received && *received > 0) {
    segments_.push_back(
        Segment{Direction::received,
                std::chrono::steady_clock::now(),
                {buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*received)}});
  }
  return received;
}

std::vector<uint8_t> TapTransport::bytes(Direction direction) const {
  std::vector<uint8_t> out;
  for (const Segment &s : segments_) {
    if (s.direction == direction) out.insert(out.end(), s.bytes.begin(), s.bytes.end());
  }
  return out;
}

}  // namespace polytls
