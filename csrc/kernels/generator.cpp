#include "kernels/generator.h"

#include <sstream>

#include "core/error.h"

namespace tg::kernels {

// The state's bytes are the seed, the text the standard library writes for the engine (its 312
// words and position) and a checksum of both: the engine's reader alone would take a state cut
// short or with digits added (a shorter last number still parses) and move to a wrong position.
namespace {
uint64_t checksum(const std::string& text) {  // FNV-1a
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return h;
}
}  // namespace

Generator::Generator(uint64_t seed) : engine_(seed), seed_(seed) {}

void Generator::manual_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  engine_.seed(seed);
  seed_ = seed;
}

uint64_t Generator::initial_seed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seed_;
}

uint64_t Generator::seed() {
  std::random_device device;
  const uint64_t s = ((uint64_t)device() << 32) ^ device();
  manual_seed(s);
  return s;
}

std::vector<uint8_t> Generator::get_state() const {
  std::ostringstream out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out << seed_ << ' ' << engine_;
  }
  const std::string text = out.str() + ' ' + std::to_string(checksum(out.str()));
  return std::vector<uint8_t>(text.begin(), text.end());
}

void Generator::set_state(const std::vector<uint8_t>& bytes) {
  for (uint8_t b : bytes)
    TG_CHECK(b == ' ' || (b >= '0' && b <= '9'), Runtime,
             "Generator.set_state: the state is not one that get_state returned (unexpected byte ", (int)b, ")");
  const std::string text(bytes.begin(), bytes.end());
  const size_t last = text.rfind(' ');
  TG_CHECK(last != std::string::npos && last + 1 < text.size() &&
               text.substr(last + 1) == std::to_string(checksum(text.substr(0, last))),
           Runtime, "Generator.set_state: the state is not one that get_state returned (its checksum does not match)");
  std::istringstream in(text.substr(0, last));
  uint64_t seed = 0;
  std::mt19937_64 engine;
  in >> seed >> engine;
  TG_CHECK(!in.fail(), Runtime, "Generator.set_state: the state is not one that get_state returned (",
           bytes.size(), " bytes)");
  in >> std::ws;
  TG_CHECK(in.eof(), Runtime, "Generator.set_state: the state is not one that get_state returned (trailing bytes)");
  std::lock_guard<std::mutex> lock(mu_);
  engine_ = engine;
  seed_ = seed;
}

const std::shared_ptr<Generator>& default_generator() {
  static const std::shared_ptr<Generator> g = [] {
    std::random_device device;
    return std::make_shared<Generator>(((uint64_t)device() << 32) ^ device());
  }();
  return g;
}

}  // namespace tg::kernels
