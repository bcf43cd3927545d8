"""The in-place methods of the bad-input table (test_error_table.py), in their own module so that
the table file stays under the size cap. test_every_inplace_method_is_in_the_table fails when a
new in-place method (for example one an op schema makes, `Tensor.atan2_`) is missing here."""

# In-place methods taking a tensor operand: how to call each on `self` with `other`.
_OPERAND_METHODS = ("add_", "sub_", "subtract_", "mul_", "multiply_", "div_", "divide_", "true_divide_", "pow_",
                    "floor_divide_", "remainder_", "atan2_", "hypot_", "logical_and_", "logical_or_", "copy_",
                    "clamp_", "clip_")
INPLACE_BINARY = {name: (lambda s, o, name=name: getattr(s, name)(o)) for name in _OPERAND_METHODS}
INPLACE_BINARY.update({
    "masked_fill_": lambda s, o: s.masked_fill_(o > 2, 1.0),
    "__iadd__": lambda s, o: s.__iadd__(o), "__isub__": lambda s, o: s.__isub__(o),
    "__imul__": lambda s, o: s.__imul__(o), "__itruediv__": lambda s, o: s.__itruediv__(o),
})
# In-place methods with no tensor operand (checked elsewhere in the table).
INPLACE_OTHER = {"exp_", "neg_", "negative_", "relu_", "sigmoid_", "tanh_", "abs_", "sqrt_", "log_", "sign_",
                 "reciprocal_", "log1p_", "expm1_", "log2_", "sin_", "cos_", "tan_", "rsqrt_", "erf_", "square_",
                 "logical_not_", "cumsum_", "cumprod_", "zero_", "fill_", "detach_", "requires_grad_"}
# An int64 self with a float operand: PyTorch refuses to cast the float result back (None:
# accepted, the value is cast: copy_, masked_fill_, and the logical ops, whose result is bool).
INPLACE_INT_FLOAT = {name: (RuntimeError, r"result type Float can't be cast to the desired output type Long")
                     for name in INPLACE_BINARY}
INPLACE_INT_FLOAT.update({"copy_": None, "masked_fill_": None, "logical_and_": None, "logical_or_": None})
# The random samplers (python/tapegrad/_random.py); their errors are in test_random.py.
INPLACE_OTHER |= {"uniform_", "normal_", "exponential_", "random_", "bernoulli_", "geometric_", "cauchy_",
                  "log_normal_"}
# shape helper (op_db_shape.py): in-place methods without a tensor operand
INPLACE_OTHER |= {"tril_", "triu_", "addmm_", "addmv_", "addbmm_", "baddbmm_",
                  "index_add_", "index_copy_", "index_fill_", "masked_scatter_", "index_put_",
                  "scatter_reduce_"}
# Issue 16's pointwise ops (op_db_pointwise.py): unary in-place methods.
INPLACE_OTHER |= {"log10_", "exp2_", "sinh_", "cosh_", "asin_", "acos_", "atan_", "asinh_", "acosh_", "atanh_",
                  "arcsin_", "arccos_", "arctan_", "arcsinh_", "arccosh_", "arctanh_", "deg2rad_", "rad2deg_",
                  "erfc_", "erfinv_", "lgamma_", "digamma_", "polygamma_", "logit_", "nan_to_num_", "sgn_",
                  "floor_", "ceil_", "trunc_", "fix_", "round_", "frac_"}
# ... and binary ones (heaviside_ words an int64 self with a float operand its own way; float_power_,
# which refuses any self but float64, is checked in test_pointwise_ops.py).
_POINTWISE_OPERAND_METHODS = ("copysign_", "fmod_", "xlogy_", "heaviside_", "logical_xor_")
INPLACE_BINARY.update({name: (lambda s, o, name=name: getattr(s, name)(o)) for name in _POINTWISE_OPERAND_METHODS})
INPLACE_BINARY.update({"addcmul_": lambda s, o: s.addcmul_(o, o), "addcdiv_": lambda s, o: s.addcdiv_(o, o)})
INPLACE_INT_FLOAT.update({name: INPLACE_INT_FLOAT["add_"] for name in ("copysign_", "fmod_", "xlogy_", "addcmul_",
                                                                       "addcdiv_")})
INPLACE_INT_FLOAT.update({
    "logical_xor_": None,
    "heaviside_": (RuntimeError, r"heaviside is not yet implemented for tensors with different dtypes"),
})
INPLACE_OTHER |= {"float_power_"}
# The bitwise in-place methods refuse the table's float tensors outright: test_pointwise_ops.py checks them.
INPLACE_OTHER |= {"bitwise_and_", "bitwise_or_", "bitwise_xor_", "bitwise_not_", "bitwise_left_shift_",
                  "bitwise_right_shift_"}
INPLACE_BINARY.update({name: (lambda s, o, name=name: getattr(s, name)(o)) for name in ("clamp_min_", "clamp_max_")})
INPLACE_INT_FLOAT.update({name: INPLACE_INT_FLOAT["add_"] for name in ("clamp_min_", "clamp_max_")})
