// Typed errors. The C++ core throws these; the bindings translate each kind to the Python
// exception PyTorch raises for the same mistake (RuntimeError, IndexError, TypeError, ValueError).
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace tg {

enum class ErrorKind { Runtime, Index, Type, Value, NotImplemented };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& msg) : std::runtime_error(msg), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

namespace detail {
template <class... Args>
std::string concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

}  // namespace tg

// TG_CHECK(cond, Index, "Dimension out of range ", ...) throws tg::Error of that kind when cond
// is false. The message is only built on failure.
#define TG_CHECK(cond, kind, ...)                                                      \
  do {                                                                                 \
    if (!(cond)) [[unlikely]]                                                          \
      throw ::tg::Error(::tg::ErrorKind::kind, ::tg::detail::concat(__VA_ARGS__));     \
  } while (0)

#define TG_ERROR(kind, ...) throw ::tg::Error(::tg::ErrorKind::kind, ::tg::detail::concat(__VA_ARGS__))
