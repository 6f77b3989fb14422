/** 2×3 affine matrix [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f. Its own file so the SIMD warp and the JS maths share it without importing each other. */
export type Affine = [number, number, number, number, number, number];
