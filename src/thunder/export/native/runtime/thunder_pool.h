/* Thunder native kernels: the library's worker threads (generated; do not edit). Included once,
 * by the registry of a SIMD library, which exports thunder_native_parallel.
 *
 * Why not OpenMP: an OpenMP region is fork-join, so a call waits for every thread of the team to
 * arrive, and on a machine whose cores are busy (data loaders, simulators, the training loop's own
 * torch threads) a woken thread may wait a whole scheduler slice for a core: a 15 us call became
 * 8-24 ms. libgomp's idle threads also spin after each region, taking cores from torch's threads.
 * Here the calling thread takes part and chunks are claimed from an atomic counter, so the call
 * never waits for a worker that has not started: a worker that wakes late finds no chunk left and
 * goes back to sleep. The number of threads is torch's (thunder_native_set_threads); small batches
 * never reach this pool.
 *
 * Idle workers first spin a bounded time (THUNDER_POOL_SPIN_US, 50 us) watching for the next
 * job, then block on a condition variable. Blocking at once cost every call a futex wake-up and a
 * scheduler hand-off per worker (Panda M at batch 4096: 210 us against 139 us with OpenMP's
 * spinning workers, idle machine); spinning without bound (OpenMP) took the cores from torch's
 * threads on a busy machine. 50 us is a few calls' gap in a loop of large batches, and a spinning
 * worker yields its core to any other runnable thread (sched_yield between polls), so a busy
 * machine loses at most that per call, and the caller never waits for a worker (see above). */
#ifndef THUNDER_POOL_H
#define THUNDER_POOL_H
#include <atomic>
#include <chrono>
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
  std::atomic<unsigned long long> generation{0};  /* written under mu; read by spinning workers */
  int sleepers = 0;  /* workers blocked on `wake` (under mu): the caller notifies only them */

  /* Spins up to the bound for a job newer than `seen`; true when one came. */
  bool spin_for_job(unsigned long long seen) {
#ifndef THUNDER_POOL_SPIN_US
#define THUNDER_POOL_SPIN_US 50
#endif
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(THUNDER_POOL_SPIN_US);
    do {
      for (int i = 0; i < 64; ++i) {
        if (generation.load(std::memory_order_acquire) != seen) return true;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
      }
      std::this_thread::yield();  /* a runnable thread waiting for this core gets it */
    } while (std::chrono::steady_clock::now() < until);
    return false;
  }

  void run_chunks(int slot) {
    for (;;) {
      const long long c = next.fetch_add(1, std::memory_order_relaxed);
      if (c >= n_chunks) return;
      fn(ctx, c, slot);
    }
  }

  void worker() {
    std::unique_lock<std::mutex> lock(mu);
    unsigned long long seen = generation.load();
    for (;;) {
      if (!quit && generation.load() == seen) {  /* idle: spin a little, then sleep */
        lock.unlock();
        const bool came = spin_for_job(seen);
        lock.lock();
        if (!came) {
          ++sleepers;
          wake.wait(lock, [&] { return quit || generation.load() != seen; });
          --sleepers;
        }
      }
      if (quit) return;
      seen = generation.load();
      if (!open || wanted <= 0) continue;  /* that job is over or full: wait for the next */
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
    generation.fetch_add(1, std::memory_order_release);
    const bool any_asleep = sleepers > 0;
    lock.unlock();
    if (any_asleep) wake.notify_all();  /* spinning workers see `generation` themselves */
    run_chunks(0);
    lock.lock();
    open = false; /* late workers stay asleep: no chunk is left for them */
    wanted = 0;
    lock.unlock();
    /* The caller waits only for workers inside a chunk, at most one chunk's time: it yields
     * rather than sleeping on a condition variable, whose wake-up would add its latency to
     * every call. Idle workers spin at most THUNDER_POOL_SPIN_US after a call, then sleep. */
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
