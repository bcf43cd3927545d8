#include "core/storage.h"

#include "core/allocator.h"

namespace tg {

std::shared_ptr<Storage> Storage::allocate(size_t nbytes) {
  // Zero-size tensors still get a valid (64-byte) pointer.
  return std::make_shared<Storage>(alloc::allocate(nbytes), nbytes, nullptr, true);
}

std::shared_ptr<Storage> Storage::wrap(void* data, size_t nbytes, std::shared_ptr<void> owner) {
  return std::make_shared<Storage>(data, nbytes, std::move(owner), false);
}

std::shared_ptr<Storage> Storage::alias(const std::shared_ptr<Storage>& of) {
  return std::make_shared<Storage>(of->data_, of->nbytes_, of, false);
}

Storage::~Storage() {
  if (owns_) alloc::release(data_, nbytes_);
}

}  // namespace tg
