// Random number generators: tapegrad.Generator objects and the process-wide default one that
// manual_seed seeds. Each is a seed and a mt19937_64 stream behind its own mutex, so threads may
// draw from one generator at once (each draw sees a consistent state), and two generators are
// independent streams.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace tg::kernels {

class Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ULL);  // PyTorch's default seed
  void manual_seed(uint64_t seed);  // restarts the stream from `seed`
  uint64_t initial_seed() const;
  uint64_t seed();  // a fresh non-deterministic seed, set and returned
  // The whole state as bytes (the seed and the stream's position), and back. set_state checks
  // every byte and leaves the generator unchanged on bad input.
  std::vector<uint8_t> get_state() const;
  void set_state(const std::vector<uint8_t>& bytes);
  // Runs f(engine) with the generator locked: one call draws a whole tensor's numbers.
  template <class F>
  decltype(auto) draw(F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    return f(engine_);
  }

 private:
  mutable std::mutex mu_;
  std::mt19937_64 engine_;
  uint64_t seed_;
};

// The default generator (tapegrad.default_generator): seeded non-deterministically at start.
const std::shared_ptr<Generator>& default_generator();

}  // namespace tg::kernels
