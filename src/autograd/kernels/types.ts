/** The typed arrays a tensor's elements live in. */
export type FloatArray = Float32Array | Float64Array;
