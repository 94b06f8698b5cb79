package lxmert.data.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A synthetic image: its size and objects (class, colour, size, pixel box). */
record Scene(int w, int h, List<Obj> objects) {

    /** One object; {@code large} is the size attribute; box x1, y1, x2, y2 in pixels. */
    record Obj(int cls, int colour, boolean large, float x1, float y1, float x2, float y2) {
        float cx() { return (x1 + x2) / 2; }
    }

    int count(int cls) {
        int n = 0;
        for (Obj o : objects) if (o.cls == cls) n++;
        return n;
    }

    int countColour(int colour) {
        int n = 0;
        for (Obj o : objects) if (o.colour == colour) n++;
        return n;
    }

    boolean has(int cls, int colour) {
        for (Obj o : objects) if (o.cls == cls && o.colour == colour) return true;
        return false;
    }

    /** The only object of class {@code cls}, or null. */
    Obj unique(int cls) {
        Obj u = null;
        for (Obj o : objects) if (o.cls == cls) { if (u != null) return null; u = o; }
        return u;
    }

    Obj uniqueColour(int colour) {
        Obj u = null;
        for (Obj o : objects) if (o.colour == colour) { if (u != null) return null; u = o; }
        return u;
    }

    static final int MAX_OBJECTS = 7;

    /** A random scene of 2..{@code maxObjects} (at most 7) objects on a 4x3 grid of cells (no overlaps). */
    static Scene random(SplittableRandom r, int numClasses, int numColours, int maxObjects) {
        int w = 400 + r.nextInt(241), h = 300 + r.nextInt(181);
        int n = 2 + r.nextInt(maxObjects - 1);
        List<Integer> cells = new ArrayList<>();
        for (int i = 0; i < 12; i++) cells.add(i);
        for (int i = cells.size() - 1; i > 0; i--) java.util.Collections.swap(cells, i, r.nextInt(i + 1));
        List<Obj> objs = new ArrayList<>();
        float cw = w / 4f, ch = h / 3f;
        for (int i = 0; i < n; i++) {
            int cell = cells.get(i);
            boolean large = r.nextBoolean();
            float frac = large ? 0.75f + 0.2f * (float) r.nextDouble() : 0.3f + 0.2f * (float) r.nextDouble();
            float bw = cw * frac, bh = ch * frac;
            float x1 = (cell % 4) * cw + (float) r.nextDouble() * (cw - bw);
            float y1 = (cell / 4) * ch + (float) r.nextDouble() * (ch - bh);
            x1 = Math.round(x1 * 10) / 10f;
            y1 = Math.round(y1 * 10) / 10f;
            objs.add(new Obj(r.nextInt(numClasses), r.nextInt(numColours), large, x1, y1,
                    Math.min(w - 1, x1 + Math.round(bw * 10) / 10f), Math.min(h - 1, y1 + Math.round(bh * 10) / 10f)));
        }
        return new Scene(w, h, objs);
    }
}
