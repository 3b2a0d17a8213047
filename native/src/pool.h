// A fixed set of worker threads that run one job at a time with the calling thread: run(f) calls
// f(t) for t = 0 .. threads − 1 (t = 0 on the caller) and returns when all are done. Idle workers
// spin briefly (a small product finishes in tens of microseconds), then sleep.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pcn {

class Pool {
 public:
  explicit Pool(int threads);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  void run(const std::function<void(int)>& job);

 private:
  void loop(int t);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  const std::function<void(int)>* job_ = nullptr;
  std::atomic<unsigned> generation_{0};
  std::atomic<int> pending_{0};
  bool stop_ = false;
};

}  // namespace pcn
