#include "core/storage.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/error.h"

namespace tg {

static constexpr size_t kAlignment = 64;

std::shared_ptr<Storage> Storage::allocate(size_t nbytes) {
  size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded == 0) rounded = kAlignment;  // zero-size tensors still get a valid pointer
  void* p = rounded < nbytes ? nullptr : std::aligned_alloc(kAlignment, rounded);
  TG_CHECK(p != nullptr, Runtime, "DefaultCPUAllocator: can't allocate memory: you tried to allocate ",
           nbytes, " bytes. Error code 12 (Cannot allocate memory)");
  return std::make_shared<Storage>(p, nbytes, nullptr, true);
}

std::shared_ptr<Storage> Storage::wrap(void* data, size_t nbytes, std::shared_ptr<void> owner) {
  return std::make_shared<Storage>(data, nbytes, std::move(owner), false);
}

std::shared_ptr<Storage> Storage::alias(const std::shared_ptr<Storage>& of) {
  return std::make_shared<Storage>(of->data_, of->nbytes_, of, false);
}

Storage::~Storage() {
  if (owns_) std::free(data_);
}

}  // namespace tg
