#include "pool.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PCN_PAUSE() _mm_pause()
#else
#define PCN_PAUSE() std::this_thread::yield()
#endif

namespace pcn {

namespace {
uint32_t generationOf(uint64_t claim) { return static_cast<uint32_t>(claim >> 32); }
}  // namespace

Pool::Pool(int threads, int spinMicros) : spinMicros_(spinMicros) {
  for (int t = 1; t < threads; t++) workers_.emplace_back([this] { loop(); });
}

Pool::~Pool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true);
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void Pool::runTask(int units, Task task) {
  if (workers_.empty() || units <= 1) {
    for (int u = 0; u < units; u++) task.call(task.context, u);
    return;
  }
  call_.store(task.call, std::memory_order_relaxed);
  context_.store(task.context, std::memory_order_relaxed);
  units_.store(units, std::memory_order_relaxed);
  done_.store(0, std::memory_order_relaxed);
  const uint32_t generation = generationOf(claim_.load(std::memory_order_relaxed)) + 1;
  // seq_cst, with the sleepers_ check below and the worker's increment before it waits: either this
  // thread sees the sleeper and notifies, or the sleeper sees the new generation and does not wait.
  claim_.store(static_cast<uint64_t>(generation) << 32);
  if (sleepers_.load() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  work(generation);
  // Only units already claimed are outstanding here; each finishes without waiting on anything.
  while (done_.load(std::memory_order_acquire) != units) PCN_PAUSE();
}

// Claims and runs units of `generation` until none are left or a newer job has replaced it.
void Pool::work(uint32_t generation) {
  uint64_t c = claim_.load(std::memory_order_acquire);
  for (;;) {
    if (generationOf(c) != generation) return;
    const int unit = static_cast<int>(c & 0xffffffffu);
    // Read before the claim; a successful claim proves they belong to this generation (a newer job
    // cannot start before every unit of this one, this one included, is done).
    const int units = units_.load(std::memory_order_relaxed);
    const auto call = call_.load(std::memory_order_relaxed);
    const void* context = context_.load(std::memory_order_relaxed);
    if (unit >= units) return;
    if (!claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
    call(context, unit);
    done_.fetch_add(1, std::memory_order_release);
    c = claim_.load(std::memory_order_acquire);
  }
}

void Pool::loop() {
  uint32_t seen = 0;
  for (;;) {
    const auto fresh = [&] { return generationOf(claim_.load(std::memory_order_acquire)) != seen; };
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(spinMicros_);
    for (int spins = 0; !fresh() && !stop_.load(std::memory_order_relaxed); spins++) {
      PCN_PAUSE();
      if ((spins & 63) == 63 && std::chrono::steady_clock::now() > until) break;
    }
    if (!fresh()) {
      sleepers_.fetch_add(1);
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return fresh() || stop_.load(); });
      }
      sleepers_.fetch_sub(1);
    }
    if (stop_.load()) return;
    seen = generationOf(claim_.load(std::memory_order_acquire));
    work(seen);
  }
}

}  // namespace pcn
