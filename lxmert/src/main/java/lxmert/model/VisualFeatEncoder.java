package lxmert.model;

import ai.djl.ndarray.NDArray;
import lxmert.config.LxmertConfig;

/** (LN(visn_fc(feats)) + LN(box_fc(boxes))) / 2, dropout (modeling.py:491-517). Boxes are [0,1] x1,y1,x2,y2. */
public final class VisualFeatEncoder extends Module {
    final Linear visnFc;
    final LayerNorm visnLayerNorm;
    final Linear boxFc;
    final LayerNorm boxLayerNorm;
    private final double dropout;

    public VisualFeatEncoder(Init init, LxmertConfig c) {
        visnFc = child("visn_fc", new Linear(init, c.visual_feat_dim(), c.hidden_size()));
        visnLayerNorm = child("visn_layer_norm", new LayerNorm(init, c.hidden_size(), c.layer_norm_eps()));
        boxFc = child("box_fc", new Linear(init, c.visual_pos_dim(), c.hidden_size()));
        boxLayerNorm = child("box_layer_norm", new LayerNorm(init, c.hidden_size(), c.layer_norm_eps()));
        dropout = c.hidden_dropout_prob();
    }

    public NDArray forward(NDArray feats, NDArray boxes) {
        NDArray x = visnLayerNorm.forward(visnFc.forward(feats));
        NDArray y = boxLayerNorm.forward(boxFc.forward(boxes));
        return Ops.dropout(x.addi(y).muli(Ops.scalar(x, 0.5)), dropout, training);
    }
}
