#include "core/storage.h"

#include "core/allocator.h"

namespace tg {

std::shared_ptr<Storage> Storage::allocate(size_t nbytes) {
  if (nbytes <= kInlineBytes) {  // zero-size tensors too: they still get a valid pointer
    auto s = std::make_shared<Storage>(nullptr, nbytes, nullptr, true);
    const auto at = reinterpret_cast<uintptr_t>(s->inline_);
    s->data_ = s->inline_ + ((64 - at % 64) % 64);
    return s;
  }
  return std::make_shared<Storage>(alloc::allocate(nbytes), nbytes, nullptr, true);
}

std::shared_ptr<Storage> Storage::wrap(void* data, size_t nbytes, std::shared_ptr<void> owner) {
  return std::make_shared<Storage>(data, nbytes, std::move(owner), false);
}

std::shared_ptr<Storage> Storage::alias(const std::shared_ptr<Storage>& of) {
  return std::make_shared<Storage>(of->data_, of->nbytes_, of, false);
}

Storage::~Storage() {
  const bool inline_bytes = data_ >= inline_ && data_ < inline_ + sizeof(inline_);
  if (owns_ && !inline_bytes) alloc::release(data_, nbytes_);
}

}  // namespace tg
