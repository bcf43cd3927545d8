// tapegrad._C.Generator (kernels/generator.h), tapegrad._C.default_generator and the random
// fills that take a generator. The distributions built from these draws (bernoulli, multinomial,
// Tensor.exponential_, ...) are in python/tapegrad/_random.py.
#include <optional>

#include "bindings/module.h"
#include "kernels/copy.h"
#include "kernels/generator.h"

namespace tg::bindings {

namespace {

using kernels::Generator;
using GeneratorPtr = std::shared_ptr<Generator>;

// torch's seed rules: any int in [-2**63, 2**64) (a negative one taken modulo 2**64), no float.
uint64_t seed_from(py::handle seed) {
  PyObject* o = seed.ptr();
  TG_CHECK(PyLong_Check(o) || (PyIndex_Check(o) && !PyFloat_Check(o)), Runtime, "manual_seed expected a long, but got ",
           Py_TYPE(o)->tp_name);
  py::int_ value = py::reinterpret_steal<py::int_>(PyNumber_Index(o));
  if (!value) throw py::error_already_set();
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
  if (!overflow) return (uint64_t)v;
  const unsigned long long u = PyLong_AsUnsignedLongLong(value.ptr());
  if (u == (unsigned long long)-1 && PyErr_Occurred()) {
    PyErr_Clear();
    TG_ERROR(Value, "Overflow when unpacking long long");
  }
  return u;
}

// tapegrad has no uint8 dtype: a state travels as an int64 tensor of byte values (0..255).
Tensor state_tensor(const std::vector<uint8_t>& bytes) {
  Tensor t = Tensor::empty({(int64_t)bytes.size()}, DType::Int64);
  int64_t* p = t.data<int64_t>();
  for (size_t i = 0; i < bytes.size(); ++i) p[i] = bytes[i];
  return t;
}

std::vector<uint8_t> state_bytes(py::handle obj) {
  TG_CHECK(py::isinstance<TensorImpl>(obj), Type, "expected a torch.ByteTensor, but got ", Py_TYPE(obj.ptr())->tp_name);
  Tensor t = kernels::contiguous_copy(obj.cast<Tensor>());
  TG_CHECK(t.dtype() == DType::Int64 && t.dim() == 1, Type,
           "RNG state must be a torch.ByteTensor (in tapegrad: a 1-d int64 tensor of byte values, as get_state "
           "returns)");
  std::vector<uint8_t> bytes((size_t)t.numel());
  const int64_t* p = t.data<int64_t>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    TG_CHECK(p[i] >= 0 && p[i] <= 255, Runtime, "RNG state: element ", i, " is ", p[i], ", not a byte (0..255)");
    bytes[(size_t)i] = (uint8_t)p[i];
  }
  return bytes;
}

Tensor random_tensor(hint::Shape size, DType dtype, const std::optional<GeneratorPtr>& gen, bool normal,
                     const char* fname) {
  Tensor t = Tensor::empty(py_convert::shape_from_sequence(size, fname), dtype);
  Generator* g = gen ? gen->get() : nullptr;
  if (normal) kernels::fill_normal(t, 0.0, 1.0, g);
  else kernels::fill_uniform(t, 0.0, 1.0, g);
  return t;
}

}  // namespace

void bind_random(py::module_& m) {
  py::class_<Generator, GeneratorPtr>(m, "Generator",
                                      "A random number generator: Generator(device='cpu'). Seed it with manual_seed; "
                                      "pass it as generator= to the random functions.")
      .def(py::init([](hint::ToTarget device) {
             if (!device.is_none()) py::module_::import("tapegrad._device").attr("check_generator_device")(device);
             return std::make_shared<Generator>();
           }),
           py::arg("device") = "cpu")
      .def("manual_seed",
           [](const GeneratorPtr& g, hint::SupportsIndex seed) {
             g->manual_seed(seed_from(seed));
             return g;
           },
           py::arg("seed"))
      .def("seed", [](Generator& g) { return g.seed(); })
      .def("initial_seed", [](const Generator& g) { return g.initial_seed(); })
      .def("get_state", [](const Generator& g) { return state_tensor(g.get_state()); })
      .def("set_state",
           [](const GeneratorPtr& g, hint::TensorResult state) {
             g->set_state(state_bytes(state));
             return g;
           },
           py::arg("new_state"))
      .def_property_readonly("device", [](const Generator&) -> hint::TensorResult {
        return hint::TensorResult(py::module_::import("tapegrad._device").attr("CPU"));
      });
  m.attr("default_generator") = kernels::default_generator();

  // rand / randn with an optional generator (None: the default one).
  m.def("_rand", [](hint::Shape size, DType dtype, const std::optional<GeneratorPtr>& gen) {
    return random_tensor(size, dtype, gen, false, "rand");
  }, py::arg("size"), py::arg("dtype"), py::arg("generator") = py::none());
  m.def("_randn", [](hint::Shape size, DType dtype, const std::optional<GeneratorPtr>& gen) {
    return random_tensor(size, dtype, gen, true, "randn");
  }, py::arg("size"), py::arg("dtype"), py::arg("generator") = py::none());
}

}  // namespace tg::bindings
