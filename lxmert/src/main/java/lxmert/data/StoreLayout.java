package lxmert.data;

/**
 * Byte layout of one image record in a {@link FeatureStore} (little-endian, every section 8-byte aligned):
 * {@code int32 img_h, int32 img_w, int32 num_boxes, int32 feat_dim, int64 objects_id[n], f32 objects_conf[n],
 * int64 attrs_id[n], f32 attrs_conf[n], f32 boxes[n*4] (normalised), f32 features[n*D]}.
 */
final class StoreLayout {
    private StoreLayout() {}

    record Offsets(int objId, int objConf, int attrId, int attrConf, int boxes, int features, int size) {}

    static int align8(long x) { return (int) ((x + 7) & ~7L); }

    static Offsets offsets(int n, int d) {
        int objId = 16;
        int objConf = objId + 8 * n;
        int attrId = objConf + align8(4L * n);
        int attrConf = attrId + 8 * n;
        int boxes = attrConf + align8(4L * n);
        int features = boxes + 16 * n;
        long size = features + align8(4L * n * d);
        if (size > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("record too large: " + n + " boxes x " + d);
        return new Offsets(objId, objConf, attrId, attrConf, boxes, features, (int) size);
    }
}
