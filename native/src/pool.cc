#include "pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PCN_PAUSE() _mm_pause()
#else
#define PCN_PAUSE() std::this_thread::yield()
#endif

namespace pcn {

namespace {
// About 50 µs of spinning before a worker sleeps: long enough to catch the next product of a relaxation step.
constexpr int kSpins = 20000;
}  // namespace

Pool::Pool(int threads) {
  for (int t = 1; t < threads; t++) workers_.emplace_back([this, t] { loop(t); });
}

Pool::~Pool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void Pool::run(const std::function<void(int)>& job) {
  if (workers_.empty()) {
    job(0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &job;
    pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  job(0);
  while (pending_.load(std::memory_order_acquire) != 0) PCN_PAUSE();
}

void Pool::loop(int t) {
  unsigned seen = 0;
  for (;;) {
    int spins = 0;
    while (generation_.load(std::memory_order_acquire) == seen && spins < kSpins) {
      PCN_PAUSE();
      spins++;
    }
    const std::function<void(int)>* job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      seen = generation_.load(std::memory_order_acquire);
      if (stop_) return;
      job = job_;
    }
    (*job)(t);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace pcn
