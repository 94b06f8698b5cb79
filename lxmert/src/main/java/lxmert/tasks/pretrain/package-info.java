/**
 * Pretraining pieces (issue 9), as the original's {@code src/pretrain}: the training loop lives elsewhere (the one
 * trainer). How they fit:
 * <pre>
 *   PretrainCorpus train = PretrainCorpus.load(dataOptions, "mscoco_train,mscoco_nominival,vgnococo", qaSets,
 *           PretrainCorpus.trainTopK(dataOptions), tokenizer, 20);            // packed, streaming JSON
 *   PretrainCorpus valid = PretrainCorpus.load(dataOptions, "mscoco_minival", qaSets, PretrainCorpus.validTopK(..), ..);
 *   PretrainBatcher b = new PretrainBatcher(train, train, tasks, Masking.Specials.of(vocab), 20, seed);
 *   PretrainBatch hb = b.fill(b.allocate(256), indices, epoch);            // matching, masking, QA sampling
 *   try (NDManager m = root.newSubManager()) {
 *       PretrainBatch.Arrays a = hb.toArrays(m);
 *       LxmertPretraining.Outputs o = model.forward(a.inputIds(), a.segmentIds(), a.inputMask(), a.feats(), a.boxes(),
 *               a.visualMask(), null);
 *       NDArray[] l = new PretrainLoss(config, tasks).means(o, a.targets(), PretrainLoss.counts(hb), false);
 *       // l[0] total, l[1..6] Mask_LM, Matched, Obj, Attr, Feat, QA (training: PretrainTask, sums / update totals)
 *   }
 *   PretrainCheckpoint.save(model, output, "Epoch03");                       // OUTPUT/Epoch03_LXRT.pth, model_LXRT layout
 *   BertInit.load(model.namedParameters(), bertFile).describe();             // --bert FILE
 * </pre>
 * The answer table size ({@code train.answerTable().size()}) is the pretraining model's {@code num_qa_labels}.
 * {@link lxmert.tasks.pretrain.PretrainQaEval} computes the QA accuracy as the original's evaluator.
 */
package lxmert.tasks.pretrain;
