namespace IcdResearch.Data;

/// <summary>
/// A small, clearly labelled SYNTHETIC sample in the CCL25 schema, generated from hand-written templates (no dataset
/// text), so every command and test runs on a fresh clone without the real data. It covers the task's label space:
/// the 5 primary codes of CCL25-Eval Task 8 and 18 frequent other codes, with wording that correlates with the codes
/// (入院诊断 names the diseases, 主诉 follows the primary diagnosis) so that models can learn something.
/// Layout mirrors the real release: 48 raw labelled records (SYN0001…), 24 more labelled records that only have the
/// entity view (SYN0049…), and 20 unlabelled test-a records (SYNA001…). Deterministic for a given seed.
/// </summary>
public static class SyntheticSample
{
    public const int DefaultSeed = 20250801;
    public const string IdPrefix = "SYN";
    public const string Marker = "本病历为程序合成的示例（synthetic），非真实患者。";

    /// <summary>A code with its name in the synthetic code table and the wordings a note may use for it.</summary>
    sealed record Disease(string Code, string Name, string[] Wordings, string[] Symptoms);

    sealed record Primary(Disease Disease, string[] Complaints, string[] Courses, string[] Treatments, string[] LikelyOthers);

    static readonly Disease HeartFailure = new("I50.900x018", "慢性心功能不全急性加重", ["慢性心力衰竭急性加重", "慢性心功能不全急性加重", "慢性心衰急性发作"], ["气促", "双下肢水肿", "夜间阵发性呼吸困难"]);
    static readonly Disease UnstableAngina = new("I20.000", "不稳定型心绞痛", ["不稳定型心绞痛", "冠心病不稳定型心绞痛", "初发劳力型心绞痛"], ["胸痛", "胸闷", "心前区压榨感"]);
    static readonly Disease Nstemi = new("I21.401", "急性非ST段抬高型心肌梗死", ["急性非ST段抬高型心肌梗死", "急性NSTEMI", "非ST段抬高型急性心肌梗死"], ["持续胸痛", "大汗", "肌钙蛋白升高"]);
    static readonly Disease Microvascular = new("I20.800x007", "微血管性心绞痛", ["微血管性心绞痛", "冠状动脉微血管功能障碍", "X综合征"], ["活动后胸闷", "心悸"]);
    static readonly Disease Hypertension3 = new("I10.x00x032", "高血压病3级（极高危）", ["高血压病3级（极高危）", "高血压3级极高危组", "原发性高血压3级 极高危"], ["头晕", "头痛", "视物模糊"]);

    static readonly Primary[] Primaries =
    [
        new(HeartFailure, ["反复气促{0}年，加重伴双下肢水肿{1}天", "活动后气喘{0}年，不能平卧{1}天"],
            ["患者{0}年前出现活动后气促，休息后缓解，{1}天前受凉后气促加重，夜间不能平卧，双下肢水肿。"],
            ["利尿、扩血管、改善心室重构", "呋塞米利尿，沙库巴曲缬沙坦抗心衰"], ["I50.907", "I48.x01", "I25.103", "I49.900"]),
        new(UnstableAngina, ["发作性胸痛{0}月，加重{1}天", "反复胸闷胸痛{0}月，再发{1}天"],
            ["患者{0}月前劳累后出现胸骨后闷痛，持续数分钟，含服硝酸甘油可缓解，{1}天前发作频繁。"],
            ["抗血小板、调脂稳定斑块", "阿司匹林联合氯吡格雷抗血小板，阿托伐他汀调脂"], ["I25.103", "E78.500", "Z95.501", "I10.x00x028"]),
        new(Nstemi, ["持续性胸痛{1}小时", "突发胸骨后疼痛{1}小时伴大汗"],
            ["患者{1}小时前无明显诱因出现胸骨后压榨样疼痛，伴大汗，含服硝酸甘油不缓解，查肌钙蛋白升高。"],
            ["急诊冠状动脉造影并植入支架", "双联抗血小板、抗凝、冠脉介入治疗"], ["I25.103", "Z95.501", "I49.300x002", "E11.900"]),
        new(Microvascular, ["活动后胸闷{0}月", "间断胸闷心悸{0}月"],
            ["患者{0}月前活动后出现胸闷，休息后缓解，外院冠脉CT未见明显狭窄，{1}天前再发。"],
            ["改善微循环、扩张冠脉", "尼可地尔改善微循环"], ["I49.900", "E04.101", "K76.000", "R91.x00x003"]),
        new(Hypertension3, ["头晕头痛{0}年，加重{1}天", "发现血压升高{0}年，头晕{1}天"],
            ["患者{0}年前体检发现血压升高，最高达190/110mmHg，{1}天前头晕加重，自测血压控制不佳。"],
            ["调整降压方案", "氨氯地平联合厄贝沙坦降压"], ["I70.806", "E11.900", "I69.300x002", "E78.500"]),
    ];

    static readonly Disease[] Others =
    [
        new("I25.103", "冠状动脉粥样硬化性心脏病", ["冠状动脉粥样硬化性心脏病", "冠心病"], []),
        new("I49.900", "心律失常", ["心律失常"], ["心悸"]),
        new("E11.900", "2型糖尿病", ["2型糖尿病", "糖尿病"], ["口干"]),
        new("R91.x00x003", "肺诊断性影像异常", ["肺结节", "肺部阴影"], []),
        new("K76.000", "脂肪肝", ["脂肪肝", "脂肪性肝病"], []),
        new("I70.806", "颈动脉硬化", ["颈动脉硬化", "颈动脉斑块形成"], []),
        new("E78.500", "高脂血症", ["高脂血症", "血脂异常"], []),
        new("I70.203", "下肢动脉粥样硬化", ["下肢动脉粥样硬化", "双下肢动脉硬化闭塞"], ["间歇性跛行"]),
        new("I10.x00x028", "高血压病2级（极高危）", ["高血压病2级（极高危）", "高血压2级极高危"], []),
        new("I25.200", "陈旧性心肌梗死", ["陈旧性心肌梗死"], []),
        new("I49.300x002", "室性期前收缩", ["室性期前收缩", "室性早搏"], ["心悸"]),
        new("I50.907", "急性心力衰竭", ["急性心力衰竭", "急性左心衰"], ["端坐呼吸"]),
        new("I48.x01", "心房颤动", ["心房颤动", "房颤"], ["心悸"]),
        new("I69.300x002", "陈旧性脑梗死", ["陈旧性脑梗死", "脑梗死后遗症"], []),
        new("E04.101", "甲状腺结节", ["甲状腺结节"], []),
        new("N28.101", "单纯性肾囊肿", ["肾囊肿", "左肾囊肿"], []),
        new("Z95.501", "冠状动脉支架植入后状态", ["冠状动脉支架植入术后", "PCI术后"], []),
        new("E87.600", "低钾血症", ["低钾血症"], ["乏力"]),
    ];

    /// <summary>Codes that are in the synthetic table but never used as labels (near-miss names, as in the real table).</summary>
    static readonly (string Code, string Name)[] Distractors =
    [
        ("I20.900", "心绞痛"), ("I21.900", "急性心肌梗死"), ("I50.900", "心力衰竭"), ("I10.x00x027", "高血压病2级（高危）"),
        ("I10.x00x024", "高血压病1级（极高危）"), ("I48.x02", "阵发性心房颤动"), ("E11.901", "2型糖尿病伴血糖控制不佳"),
        ("I63.900", "脑梗死"), ("J18.900", "肺炎"), ("K76.807", "肝囊肿"),
    ];

    /// <summary>The 5 primary codes of the task.</summary>
    public static IReadOnlyList<string> PrimaryCodes => Primaries.Select(p => p.Disease.Code).ToList();

    /// <summary>The other codes the sample uses.</summary>
    public static IReadOnlyList<string> OtherCodes => Others.Select(o => o.Code).ToList();

    /// <summary>The synthetic code table: every label code with a plausible name, plus near-miss distractors.</summary>
    public static CodeTable CodeTable() => new(
        Primaries.Select(p => (p.Disease.Code, p.Disease.Name))
            .Concat(Others.Select(o => (o.Code, o.Name)))
            .Concat(Distractors)
            .OrderBy(e => e.Item1, StringComparer.Ordinal),
        "synthetic");

    /// <summary>The generated sample (raw labelled, entity-view labelled, unlabelled test-a).</summary>
    public sealed record Sample(
        List<ClinicalRecord> TrainRaw, List<CodeAssignment> TrainLabels, List<EntityRecord> TrainEntities,
        List<ClinicalRecord> TestARaw, List<EntityRecord> TestAEntities, CodeTable Codes);

    public static Sample Generate(int seed = DefaultSeed, int rawCount = 48, int entityOnlyCount = 24, int testACount = 20)
    {
        var random = new Random(seed);
        var labelled = Enumerable.Range(1, rawCount + entityOnlyCount)
            .Select(i => MakeRecord(random, $"{IdPrefix}{i:D4}", i - 1)).ToList();
        var testA = Enumerable.Range(1, testACount)
            .Select(i => MakeRecord(random, $"{IdPrefix}A{i:D3}", i - 1) with { PrimaryCode = null, OtherCodes = null }).ToList();
        return new Sample(
            labelled.Take(rawCount).ToList(),
            labelled.Select(r => r.Labels()).ToList(),
            labelled.Select(ToEntities).ToList(),
            testA,
            testA.Select(ToEntities).ToList(),
            CodeTable());
    }

    /// <summary>Writes the sample in the real data folder layout: ccl25/*.json and codes/dccnce-2.0.tsv.</summary>
    public static void Write(string dir, int seed = DefaultSeed)
    {
        var s = Generate(seed);
        Ccl25RawFile.Save(Path.Combine(dir, "ccl25", "train-raw.json"), s.TrainRaw);
        Ccl25LabelsFile.Save(Path.Combine(dir, "ccl25", "train-labels.json"), s.TrainLabels);
        Ccl25EntityFile.Save(Path.Combine(dir, "ccl25", "train-entities.json"), s.TrainEntities);
        Ccl25RawFile.Save(Path.Combine(dir, "ccl25", "test-a-raw.json"), s.TestARaw);
        Ccl25EntityFile.Save(Path.Combine(dir, "ccl25", "test-a-entities.json"), s.TestAEntities);
        s.Codes.Save(Path.Combine(dir, "codes", "dccnce-2.0.tsv"));
        IO.AtomicFile.WriteAllText(Path.Combine(dir, "SYNTHETIC.txt"),
            $"SYNTHETIC sample generated by `icd synth` (seed {seed}) from hand-written templates; not real patients, not CCL25 data.\n");
    }

    /// <summary>True when a record id belongs to the synthetic sample.</summary>
    public static bool IsSyntheticId(string id) => id.StartsWith(IdPrefix, StringComparison.Ordinal);

    static ClinicalRecord MakeRecord(Random random, string id, int index)
    {
        var primary = Primaries[index % Primaries.Length];
        // Other codes: 1–4, drawn mostly from the primary's typical comorbidities, sometimes from the whole list.
        var count = 1 + random.Next(4);
        var others = new List<Disease>();
        while (others.Count < count)
        {
            var code = random.NextDouble() < 0.7 ? Pick(random, primary.LikelyOthers) : Pick(random, Others).Code;
            var disease = Others.First(o => o.Code == code);
            if (!others.Contains(disease)) others.Add(disease);
        }
        var (years, days) = (1 + random.Next(10), 1 + random.Next(14));
        var diagnosisLines = new List<string> { Pick(random, primary.Disease.Wordings) };
        // Most other diagnoses are written in 入院诊断; about one in five appears only in 既往史 (as in real notes).
        var historyOnly = others.Where(_ => random.NextDouble() < 0.2).ToList();
        diagnosisLines.AddRange(others.Except(historyOnly).Select(o => Pick(random, o.Wordings)));
        var admission = string.Join("", diagnosisLines.Select((d, i) => $"{i + 1}.{d}"));
        var history = others.Count == 0 ? "既往体健。" : $"既往{string.Join("、", others.Select(o => Pick(random, o.Wordings)))}病史。否认肝炎、结核病史。";
        var symptoms = primary.Disease.Symptoms.Concat(others.SelectMany(o => o.Symptoms)).Distinct().ToList();
        var (pulse, sbp, dbp) = (60 + random.Next(50), 110 + random.Next(80), 60 + random.Next(40));
        return new ClinicalRecord
        {
            Id = id,
            ChiefComplaint = string.Format(Pick(random, primary.Complaints), years, days),
            PresentIllness = string.Format(Pick(random, primary.Courses), years, days) + $"伴{string.Join("、", symptoms)}。门诊以“{diagnosisLines[0]}”收入院。",
            PastHistory = history,
            PersonalHistory = Marker + (random.Next(2) == 0 ? "吸烟史20年。" : "无烟酒嗜好。"),
            MaritalHistory = "已婚，配偶体健。",
            FamilyHistory = random.Next(3) == 0 ? "父亲有高血压病史。" : "否认家族遗传病史。",
            AdmissionCondition = $"T 36.{random.Next(10)}℃，P {pulse}次/分，BP {sbp}/{dbp}mmHg。神志清，{Pick(random, symptoms)}。",
            AdmissionDiagnosis = admission,
            TreatmentCourse = $"入院后完善相关检查，予{Pick(random, primary.Treatments)}等治疗，症状好转。",
            DischargeCondition = "患者一般情况可，无明显不适。",
            DischargeOrders = "低盐低脂饮食，规律服药，心内科门诊随诊。",
            PrimaryCode = primary.Disease.Code,
            OtherCodes = others.Select(o => o.Code).ToList(),
        };
    }

    /// <summary>An entity view of a synthetic record: diseases named in 入院诊断/既往史, and symptoms.</summary>
    static EntityRecord ToEntities(ClinicalRecord r)
    {
        string[] Named(string text, IEnumerable<Disease> diseases) =>
            diseases.SelectMany(d => d.Wordings).Where(text.Contains).Distinct().ToArray();
        var all = Primaries.Select(p => p.Disease).Concat(Others).ToList();
        var primaryDiseases = Named(r.ChiefComplaint + r.PresentIllness + r.AdmissionDiagnosis, Primaries.Select(p => p.Disease));
        var otherDiseases = Named(r.AdmissionDiagnosis + r.PastHistory, Others);
        var symptoms = all.SelectMany(d => d.Symptoms).Distinct().Where(r.PresentIllness.Contains).ToArray();
        EntityGroup Group(string[] diseases) => new(new List<KeyValuePair<string, IReadOnlyList<string>>>
        {
            new("疾病", diseases.Length > 0 ? diseases : ["胸闷待查"]),
            new("症状", symptoms.Length > 0 ? symptoms : ["乏力"]),
        });
        return new EntityRecord
        {
            Id = r.Id,
            PrimaryView = [Group(primaryDiseases)],
            OtherView = [Group(otherDiseases)],
            PrimaryCode = r.PrimaryCode,
            OtherCodes = r.OtherCodes,
        };
    }

    static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
