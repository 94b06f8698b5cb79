package lxmert.checkpoint;

import java.util.Locale;

/**
 * Element types of checkpoint tensors, with their size in bytes and the names PyTorch uses for them:
 * the legacy storage class ({@code torch.FloatStorage}) and the dtype attribute ({@code torch.float32}).
 */
public enum DType {
    F32(4, "FloatStorage", "float32", true),
    F64(8, "DoubleStorage", "float64", true),
    F16(2, "HalfStorage", "float16", true),
    BF16(2, "BFloat16Storage", "bfloat16", true),
    I64(8, "LongStorage", "int64", false),
    I32(4, "IntStorage", "int32", false),
    I16(2, "ShortStorage", "int16", false),
    I8(1, "CharStorage", "int8", false),
    U8(1, "ByteStorage", "uint8", false),
    BOOL(1, "BoolStorage", "bool", false);

    private final int size;
    private final String storageClass;
    private final String torchName;
    private final boolean floating;

    DType(int size, String storageClass, String torchName, boolean floating) {
        this.size = size;
        this.storageClass = storageClass;
        this.torchName = torchName;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int size() { return size; }

    /** Name of the legacy typed storage class in module {@code torch}, e.g. {@code FloatStorage}. */
    public String storageClass() { return storageClass; }

    /** Name of the dtype attribute in module {@code torch}, e.g. {@code float32}. */
    public String torchName() { return torchName; }

    /** True for the floating point types. */
    public boolean isFloating() { return floating; }

    /** The dtype of a legacy storage class name ({@code FloatStorage}), or null if unknown. */
    public static DType ofStorageClass(String name) {
        for (DType d : values()) if (d.storageClass.equals(name)) return d;
        return null;
    }

    /**
     * The dtype of a {@code torch.<name>} dtype attribute, or null if unknown. Accepts the aliases torch
     * defines ({@code float}, {@code double}, {@code half}, {@code long}, {@code int}, {@code short}).
     */
    public static DType ofTorchName(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "float": return F32;
            case "double": return F64;
            case "half": return F16;
            case "long": return I64;
            case "int": return I32;
            case "short": return I16;
            default:
                for (DType d : values()) if (d.torchName.equals(name)) return d;
                return null;
        }
    }
}
