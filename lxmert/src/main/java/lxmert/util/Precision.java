package lxmert.util;

import java.util.Locale;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --precision fp32|fp16} for inference ({@code test}, {@code %lxmert test}). fp16 casts every parameter but
 * LayerNorm's to float16 ({@code Module.castExceptLayerNorm}); LayerNorm and the attention softmax compute in float32
 * (the model casts around them), inputs are cast at the first linear layer. There is no autocast or grad scaler in
 * DJL, and DJL's JNI has no bfloat16 mapping, so bf16 is not offered. fp16 runs only on a GPU: on the CPU it is
 * refused with a clear error (torch's CPU half kernels are slow and some are missing).
 */
public enum Precision {
    FP32(DataType.FLOAT32), FP16(DataType.FLOAT16);

    public final DataType dataType;

    Precision(DataType t) {
        this.dataType = t;
    }

    /** {@code fp32} or {@code fp16} (case-insensitive). */
    public static Precision parse(String option, String s) {
        switch (s == null ? "" : s.strip().toLowerCase(Locale.ROOT)) {
            case "fp32": return FP32;
            case "fp16": return FP16;
            default: throw new IllegalArgumentException(option + " must be fp32 or fp16, got \"" + s + "\"");
        }
    }

    /** This precision if it can run on {@code device}, else a clear error. */
    public Precision checkDevice(Device device) {
        if (this == FP16 && !device.isGpu()) {
            throw new IllegalArgumentException("--precision fp16 runs on a GPU only; the device is " + Devices.name(device)
                    + " (use --precision fp32 on the CPU, or --device gpu on a GPU machine: lxmert devices shows what is visible)");
        }
        return this;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** picocli converter: a bad value is refused at parse time naming the option. */
    public static final class Converter implements ITypeConverter<Precision> {
        @Override
        public Precision convert(String value) {
            try {
                return parse("--precision", value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
