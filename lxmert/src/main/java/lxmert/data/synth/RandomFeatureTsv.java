package lxmert.data.synth;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import lxmert.data.ObjTsvRow;
import lxmert.data.ObjTsvWriter;

/**
 * Generates a real-size obj36 TSV of random (but valid) rows for benchmarking the feature store: ReLU-like sparse
 * non-negative features, boxes inside the image, detector ids in 0..1599 / 0..399. Deterministic per seed.
 */
public final class RandomFeatureTsv {
    private RandomFeatureTsv() {}

    public static void write(Path out, int images, int boxes, int dim, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (ObjTsvWriter w = new ObjTsvWriter(out)) {
            for (int img = 0; img < images; img++) {
                int h = 300 + rnd.nextInt(400), wd = 300 + rnd.nextInt(400);
                long[] obj = new long[boxes], attr = new long[boxes];
                float[] objc = new float[boxes], attrc = new float[boxes], bx = new float[4 * boxes];
                float[] feat = new float[boxes * dim];
                for (int b = 0; b < boxes; b++) {
                    obj[b] = rnd.nextInt(1600);
                    attr[b] = rnd.nextInt(400);
                    objc[b] = (float) rnd.nextDouble();
                    attrc[b] = (float) rnd.nextDouble();
                    float x1 = (float) (rnd.nextDouble() * wd * 0.8), y1 = (float) (rnd.nextDouble() * h * 0.8);
                    bx[4 * b] = x1;
                    bx[4 * b + 1] = y1;
                    bx[4 * b + 2] = Math.min(wd - 1, x1 + (float) (rnd.nextDouble() * wd * 0.5) + 1);
                    bx[4 * b + 3] = Math.min(h - 1, y1 + (float) (rnd.nextDouble() * h * 0.5) + 1);
                    for (int k = 0; k < dim; k++) {
                        double v = rnd.nextDouble();
                        feat[b * dim + k] = v < 0.5 ? 0f : (float) ((v - 0.5) * 8);
                    }
                }
                w.write(new ObjTsvRow(String.format("bench_%06d", img), h, wd, boxes, dim, obj, objc, attr, attrc, bx, feat));
            }
        }
    }
}
