// A fixed set of worker threads that help the calling thread through a job of independent units:
// run(units, f) calls f(u) once for every u < units, each unit claimed by whichever thread (the
// caller included) takes it first, and returns when all are done. The caller never waits for a
// worker to wake: a worker that is asleep, descheduled or busy elsewhere just claims fewer units (none
// if it comes late), so a loaded machine degrades to one thread's speed, not below it. Idle workers
// spin for spinMicros (the next product of a relaxation step comes within tens of microseconds), then sleep.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace pcn {

class Pool {
 public:
  Pool(int threads, int spinMicros);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  template <typename F>
  void run(int units, const F& f) {
    runTask(units, Task{[](const void* c, int u) { (*static_cast<const F*>(c))(u); }, &f});
  }

 private:
  struct Task {
    void (*call)(const void* context, int unit);
    const void* context;
  };
  void runTask(int units, Task task);
  void work(uint32_t generation);
  void loop();

  std::vector<std::thread> workers_;
  const int spinMicros_;
  // generation << 32 | next unclaimed unit: a claim succeeds only within the job it was read from.
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> units_{0};
  std::atomic<int> done_{0};
  std::atomic<void (*)(const void*, int)> call_{nullptr};
  std::atomic<const void*> context_{nullptr};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

}  // namespace pcn
