/* Thunder native kernels: the library's worker threads (generated; do not edit). Included once,
 * by the registry of a SIMD library, which exports thunder_native_parallel.
 *
 * Why not OpenMP: an OpenMP region is fork-join, so a call waits for every thread of the team to
 * arrive, and on a machine whose cores are busy (data loaders, simulators, the training loop's own
 * torch threads) a woken thread may wait a whole scheduler slice for a core: a 15 us call became
 * 8-24 ms. libgomp's idle threads also spin after each region, taking cores from torch's threads.
 * Here the calling thread takes part and chunks are claimed from an atomic counter, so the call
 * never waits for a worker that has not started: a worker that wakes late finds no chunk left and
 * goes back to sleep. Idle workers block on a condition variable (no spinning). The number of
 * threads is torch's (thunder_native_set_threads); small batches never reach this pool. */
#ifndef THUNDER_POOL_H
#define THUNDER_POOL_H
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace thunder_pool {

typedef void (*chunk_fn)(void* ctx, long long chunk, int slot);

struct Pool {
  std::mutex mu;
  std::condition_variable wake;
  std::vector<std::thread> threads;
  /* the job: chunks [0, n_chunks) of fn(ctx, chunk, slot); `open` while workers may join */
  chunk_fn fn = nullptr;
  void* ctx = nullptr;
  long long n_chunks = 0;
  std::atomic<long long> next{0};
  int wanted = 0;  /* workers asked to join this job */
  std::atomic<int> active{0};  /* workers inside this job */
  int slots_used = 0;
  bool open = false, quit = false;
  unsigned long long generation = 0;

  void run_chunks(int slot) {
    for (;;) {
      const long long c = next.fetch_add(1, std::memory_order_relaxed);
      if (c >= n_chunks) return;
      fn(ctx, c, slot);
    }
  }

  void worker() {
    std::unique_lock<std::mutex> lock(mu);
    unsigned long long seen = generation;
    for (;;) {
      wake.wait(lock, [&] { return quit || (generation != seen && open && wanted > 0); });
      if (quit) return;
      seen = generation;
      --wanted;
      active.fetch_add(1, std::memory_order_relaxed);
      const int slot = ++slots_used;  /* 0 is the calling thread */
      lock.unlock();
      run_chunks(slot);
      active.fetch_sub(1, std::memory_order_release);
      lock.lock();
    }
  }

  /* Runs every chunk with up to n_threads threads (the caller included). */
  void parallel(chunk_fn f, void* c, long long chunks, int n_threads) {
    std::unique_lock<std::mutex> lock(mu);
    while ((int)threads.size() < n_threads - 1) threads.emplace_back([this] { worker(); });
    fn = f, ctx = c, n_chunks = chunks;
    next.store(0, std::memory_order_relaxed);
    wanted = n_threads - 1, slots_used = 0, open = true;
    active.store(0, std::memory_order_relaxed);
    ++generation;
    lock.unlock();
    wake.notify_all();
    run_chunks(0);
    lock.lock();
    open = false; /* late workers stay asleep: no chunk is left for them */
    wanted = 0;
    lock.unlock();
    /* The caller waits only for workers inside a chunk, at most one chunk's time: it yields
     * rather than sleeping on a condition variable, whose wake-up would add its latency to
     * every call. Idle workers still sleep: nothing spins between calls. */
    while (active.load(std::memory_order_acquire) != 0) std::this_thread::yield();
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu);
      quit = true;
    }
    wake.notify_all();
    for (auto& t : threads) t.join();
  }
};

}  // namespace thunder_pool

extern "C" {
/* The library's pool; calls from several threads at once take turns. */
void thunder_native_parallel(thunder_pool::chunk_fn fn, void* ctx, long long n_chunks, int n_threads) {
  static thunder_pool::Pool pool;
  static std::mutex one_job;
  if (n_threads <= 1 || n_chunks <= 1) {
    for (long long c = 0; c < n_chunks; ++c) fn(ctx, c, 0);
    return;
  }
  std::unique_lock<std::mutex> turn(one_job, std::try_to_lock);
  if (!turn.owns_lock()) { /* another thread's job is running: do this one inline */
    for (long long c = 0; c < n_chunks; ++c) fn(ctx, c, 0);
    return;
  }
  pool.parallel(fn, ctx, n_chunks, n_threads);
}
}
#endif
