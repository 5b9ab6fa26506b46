# सहकारी कंसोल (/console)।
con-name = सहकारी कंसोल
con-nav-label = कंसोल
con-nav-dashboard = डैशबोर्ड
con-nav-products = उत्पाद
con-nav-orders = ऑर्डर
con-nav-cooperatives = सहकारी समितियाँ
con-sign-in = कंसोल में साइन इन करें
con-sign-in-lead = सहकारी समितियों के कर्मचारियों और प्लेटफ़ॉर्म एडमिन के लिए। अपने स्टाफ़ खाते का ईमेल और पासवर्ड डालें।
con-sign-in-wrong = ईमेल या पासवर्ड सही नहीं है।
con-sign-in-other = दूसरे खाते से साइन इन करें
con-sign-out = साइन आउट
con-not-staff = यह कंसोल सहकारी समितियों के कर्मचारियों के लिए है
con-not-staff-body = आपका खाता किसी सहकारी समिति का स्टाफ़ या एडमिन नहीं है। अपनी समिति के प्रबंधक से निमंत्रण माँगें।
con-email = ईमेल
con-password = पासवर्ड
con-required = ज़रूरी
con-choose = चुनें…
con-yes = हाँ
con-no = नहीं
con-none = कोई नहीं
con-all = सभी
con-errors-heading = कृपया इन्हें ठीक करें:
con-error-required = कृपया इसे भरें।
con-error-rupees = रुपये में राशि लिखें, जैसे 450 या 450.50।
con-error-whole-number = पूर्ण संख्या लिखें।
con-next-page = अगला पृष्ठ
con-dashboard = डैशबोर्ड
con-pending-cooperatives = सत्यापन की प्रतीक्षा में समितियाँ
con-review-cooperatives = समितियाँ देखें
con-to-pack = पैक करने वाले ऑर्डर
con-to-ship = भेजने वाले ऑर्डर
con-overdue = संस्थागत भुगतान जिनकी तारीख़ निकल गई
con-sales-month = { $month } की बिक्री
con-invoices = { $count ->
    [one] { $count } इनवॉइस
   *[other] { $count } इनवॉइस
}
con-low-stock = कम स्टॉक
con-low-stock-none = किसी सक्रिय उत्पाद का स्टॉक कम नहीं है।
con-units = { $count ->
    [one] { $count } इकाई
   *[other] { $count } इकाइयाँ
}
con-channel-errors = चैनल लिस्टिंग जिन पर ध्यान देना है
con-channel-errors-none = सभी चैनल लिस्टिंग ठीक हैं।
con-dead-letters = { $count ->
    [one] { $count } बदलाव भेजा नहीं जा सका
   *[other] { $count } बदलाव भेजे नहीं जा सके
}
con-products = उत्पाद
con-product-count = { $count ->
    [one] { $count } उत्पाद
   *[other] { $count } उत्पाद
}
con-no-products = अभी कोई उत्पाद नहीं।
con-new-product = नया उत्पाद
con-new-product-in = नया उत्पाद: { $category }
con-pick-category = चुनें कि उत्पाद किस प्रकार का है। फ़ॉर्म फिर ठीक वही पूछेगा जो उस प्रकार के लिए ज़रूरी है।
con-status = स्थिति
con-status-draft = ड्राफ़्ट
con-status-active = सक्रिय
con-status-archived = संग्रहित
con-stock = स्टॉक
con-section-basics = उत्पाद
con-section-attributes = इस प्रकार के उत्पाद का विवरण
con-section-declarations = लेबल की घोषणाएँ
con-section-variant = पहला पैक और क़ीमत
con-declarations-lead = पैक के लेबल पर जो घोषित होना चाहिए (विधिक माप विज्ञान नियम)। ड्राफ़्ट में ये छोड़ी जा सकती हैं; इनके बिना उत्पाद सक्रिय नहीं हो सकता।
con-product-title = नाम
con-product-description = विवरण
con-decl-netQuantity = शुद्ध मात्रा
con-decl-netQuantity-hint = लेबल के अनुसार, जैसे 500 ml या 250 g।
con-decl-manufacturerName = निर्माता या पैकर
con-decl-manufacturerName-hint = लेबल पर लिखा नाम।
con-decl-manufacturerAddress = निर्माता का पता
con-decl-manufacturerAddress-hint = लेबल पर लिखा पूरा पता।
con-decl-countryOfOrigin = मूल देश
con-decl-countryOfOrigin-hint = जैसे भारत।
con-decl-consumerCare-address = उपभोक्ता सहायता का पता
con-decl-consumerCare-address-hint = शिकायतों के लिए डाक पता, अंत में 6 अंकों का पिन कोड।
con-decl-consumerCare-phone = उपभोक्ता सहायता फ़ोन
con-decl-consumerCare-phone-hint = 10 अंकों का भारतीय नंबर (लैंडलाइन के लिए एसटीडी कोड सहित), या टोल-फ़्री 1800 नंबर।
con-decl-consumerCare-email = उपभोक्ता सहायता ईमेल
con-decl-consumerCare-email-hint = वह ईमेल पता जिस पर ख़रीदार शिकायत कर सकें।
con-decl-bestBeforeMonths = इससे पहले उपयोग करें (महीने)
con-decl-bestBeforeMonths-hint = पैकिंग से महीने, खाद्य के लिए।
con-variant = पैक
con-variants = पैक और क़ीमतें
con-variant-sku = स्टॉक कोड (SKU)
con-variant-sku-hint = इस पैक का आपका छोटा कोड, जैसे SBJ-500।
con-variant-title = पैक का नाम
con-variant-title-hint = जैसे 500 ml बोतल।
con-variant-price = क़ीमत (₹)
con-variant-mrp = एमआरपी (₹)
con-variant-weight = भेजने का वज़न (ग्राम)
con-rupees-hint = रुपये में, जीएसटी सहित।
con-saved-as-draft = उत्पाद ड्राफ़्ट के रूप में सहेजा जाता है; घोषणाएँ पूरी होने पर इसे सक्रिय करें।
con-create-product = ड्राफ़्ट सहेजें
con-save = सहेजें
con-save-activate = सहेजें और सक्रिय करें
con-update-price = क़ीमत बदलें
con-add-variant = पैक जोड़ें
con-no-variants = अभी कोई पैक नहीं: उत्पाद पृष्ठ पर जोड़ें।
con-saved-created = उत्पाद ड्राफ़्ट के रूप में सहेजा गया।
con-saved-saved = सहेजा गया।
con-saved-activated = उत्पाद सक्रिय है और बिक्री पर है।
con-saved-variant = पैक सहेजा गया।
con-saved-adjusted = स्टॉक बदला गया।
con-saved-batch = बैच दर्ज हुआ और उसकी मात्रा स्टॉक में जुड़ गई।
con-stock-and-batches = स्टॉक और बैच
con-view-in-store = दुकान में देखें
con-stock-of = स्टॉक: { $product }
con-back-to = { $name } पर वापस
con-adjust = स्टॉक बदलें
con-adjust-delta = जोड़ने या घटाने वाली इकाइयाँ
con-adjust-delta-hint = जैसे जोड़ने के लिए 5, या घटाने के लिए -2।
con-adjust-reason = कारण
con-adjust-note = टिप्पणी
con-reason-recount = दोबारा गिनती
con-reason-damaged = ख़राब
con-reason-returned = लौटाया गया
con-reason-correction = सुधार
con-batches = बैच
con-no-batches = अभी कोई बैच नहीं।
con-new-batch = बैच दर्ज करें
con-batch-code = बैच कोड
con-batch-code-hint = पैक पर छपता है: 4 से 24 बड़े अक्षर, अंक और हाइफ़न।
con-batch-village = मूल गाँव
con-batch-district = ज़िला
con-batch-date = फ़सल या उत्पादन की तारीख़
con-batch-quantity = इकाइयाँ
con-print-labels = लेबल छापें
con-verify-page = उद्गम पृष्ठ
con-labels-of = बैच { $code } के लेबल
con-labels-lead = यह पृष्ठ A4 लेबल काग़ज़ पर छापें (ब्राउज़र का प्रिंट)। हर QR कोड बैच का उद्गम पृष्ठ खोलता है।
con-qr-of = बैच { $code } का QR कोड
con-qr-png = QR कोड चित्र के रूप में
con-orders = ऑर्डर
con-order = ऑर्डर
con-order-count = { $count ->
    [one] { $count } ऑर्डर
   *[other] { $count } ऑर्डर
}
con-no-orders = यहाँ कोई ऑर्डर नहीं।
con-all-orders = सभी ऑर्डर
con-filter-status = स्थिति के अनुसार
con-order-title = ऑर्डर { $number }
con-institutional = संस्थागत
con-po = पीओ
con-ship-to = डिलीवरी का पता
con-parcel = आपका पार्सल
con-item = सामान
con-qty = मात्रा
con-total = कुल
con-shipping-line = शिपिंग
con-shipped-with = भेजा गया
con-invoice = जीएसटी इनवॉइस { $number }
con-payment-due = भुगतान की तारीख़ { $date }
con-pack = पैक हो गया
con-ship = भेज दिया
con-deliver = पहुँच गया
con-cancel = यह पार्सल रद्द करें
con-carrier = कूरियर
con-tracking = ट्रैकिंग नंबर
con-cancel-reason = रद्द करने का कारण
con-done-pack = पैक दर्ज हुआ।
con-done-ship = भेजना दर्ज हुआ; जीएसटी इनवॉइस जारी हुआ।
con-done-deliver = डिलीवरी दर्ज हुई।
con-done-cancel = रद्द हुआ; स्टॉक वापस आ गया।
con-fstatus-pending-payment = भुगतान की प्रतीक्षा
con-fstatus-confirmed = पुष्ट (बाद में भुगतान)
con-fstatus-paid = भुगतान हुआ
con-fstatus-packed = पैक हुआ
con-fstatus-shipped = भेजा गया
con-fstatus-delivered = पहुँच गया
con-fstatus-accepted = स्वीकार हुआ
con-fstatus-cancelled = रद्द
con-fstatus-returned = लौटाया गया
con-pay-stripe = कार्ड
con-pay-cash-on-delivery = डिलीवरी पर नकद
con-pay-bank-transfer = बैंक ट्रांसफ़र
con-pay-purchase-order = क्रय आदेश
con-pay-channel = चैनल पर भुगतान
con-cooperatives = सहकारी समितियाँ
con-no-cooperatives = यहाँ कोई समिति नहीं।
con-vstatus-pending = लंबित
con-vstatus-verified = सत्यापित
con-vstatus-suspended = निलंबित
con-coop-place = स्थान
con-coop-registration = पंजीकरण
con-coop-state = राज्य कोड
con-coop-pending-change = प्रतीक्षित बदलाव
con-verify-reason = आपने क्या जाँचा, या क्यों
con-verify-reason-hint = समिति के इतिहास में दर्ज होता है, जैसे "GSTIN और FSSAI लाइसेंस पोर्टल पर जाँचे"।
con-verify = सत्यापित करें
con-suspend = निलंबित करें
con-reinstate = बहाल करें
con-decided-verified = समिति सत्यापित है।
con-decided-suspended = समिति निलंबित है।
con-decided-pending = सहेजा गया।
con-add-manager = प्रबंधक जोड़ें
con-manager-name = प्रबंधक का नाम
con-manager-password-hint = कम से कम 10 अक्षर; प्रबंधक को स्वयं बताएँ।
con-decided-manager = प्रबंधक का खाता तैयार है: वे अभी साइन इन कर सकते हैं।

## उत्पाद फ़ोटो, थोक मूल्य, जीआई, चैनल और थोक आयात (issue 16, भाग A)
con-images = फ़ोटो
con-images-none = अभी कोई फ़ोटो नहीं है। खरीदार दुकान में पहली फ़ोटो देखते हैं।
con-image-sizes = बने हुए आकार
con-image-remove = फ़ोटो हटाएँ
con-image-file = फ़ोटो
con-image-file-hint = फ़ोन के कैमरे से फ़ोटो लें या कोई फ़ोटो चुनें: JPEG, PNG या WebP, अधिकतम 10 MB।
con-image-alt = फ़ोटो में क्या दिखता है
con-image-alt-hint = जो खरीदार देख नहीं सकते, उन्हें पढ़कर सुनाया जाता है, जैसे "लकड़ी की मेज़ पर सी बकथॉर्न जूस की दो बोतलें"।
con-image-add = फ़ोटो जोड़ें
con-image-choose = जोड़ने के लिए एक फ़ोटो चुनें।
con-image-too-large = फ़ोटो 10 MB से बड़ी है। इसे छोटे आकार में फिर से लें।
con-image-unreadable = फ़ोटो पूरी नहीं पहुँची। फिर से कोशिश करें।
con-saved-image = फ़ोटो जोड़ दी गई।
con-saved-image-removed = फ़ोटो हटा दी गई।
con-variant-moq = सबसे छोटा ऑर्डर (इकाइयाँ)
con-variant-moq-hint = खरीदार कम से कम इतनी इकाइयाँ ऑर्डर करते हैं।
con-tiers = बड़े ऑर्डर के मूल्य
con-tiers-lead = इतनी इकाइयों से आगे हर इकाई सस्ती होती है। किसी पंक्ति को हटाने के लिए उसे खाली छोड़ें।
con-tier-n = मूल्य स्तर { $n }
con-tier-from = कितनी इकाइयों से
con-tier-price = प्रति इकाई मूल्य
con-tier-summary = { $n } इकाइयों से:
con-nav-gi = जीआई
con-gi-title = भौगोलिक संकेत (जीआई)
con-gi-lead = कोई उत्पाद जीआई तभी दिखा सकता है जब आपकी सहकारी समिति उसकी सत्यापित अधिकृत उपयोगकर्ता हो। हर पंजीकरण यहाँ दर्ज करें; एक व्यवस्थापक उसे जीआई रजिस्टर से मिलाता है।
con-gi-authorisations = आपके अधिकृत उपयोगकर्ता पंजीकरण
con-gi-none = अभी कोई दर्ज नहीं है।
con-gi = भौगोलिक संकेत
con-au-number = अधिकृत उपयोगकर्ता संख्या
con-au-number-hint = जैसा जीआई रजिस्ट्री के प्रमाणपत्र में है, जैसे AU/RKA/123।
con-au-valid-from = कब से मान्य
con-au-valid-until = कब तक मान्य
con-au-valid-until-hint = जीआई के अपने पंजीकरण की समाप्ति के बाद की नहीं।
con-au-status-pending = सत्यापन की प्रतीक्षा में
con-au-status-verified = सत्यापित
con-au-status-revoked = रद्द
con-gi-apply = पंजीकरण दर्ज करें
con-saved-au = दर्ज हो गया। व्यवस्थापक के सत्यापन के बाद यह मान्य होगा।
con-gi-valid-now = आज मान्य
con-gi-not-valid-now = आज मान्य नहीं
con-gi-pending = व्यवस्थापक के इस पंजीकरण को सत्यापित करने के बाद ही दावे मान्य होंगे।
con-gi-revoked = यह पंजीकरण रद्द कर दिया गया: इस पर किए दावे मान्य नहीं हैं।
con-gi-not-yet = केवल { $date } से मान्य।
con-gi-lapsed = { $date } को समाप्त हो गया। जीआई रजिस्ट्री से नवीनीकरण कराएँ और नया पंजीकरण दर्ज करें।
con-gi-ends-in = { $count ->
    [0] आज समाप्त हो रहा है।
    [one] कल समाप्त हो रहा है।
   *[other] { $count } दिनों में समाप्त हो रहा है।
}
con-gi-tag-registration = जीआई का पंजीकरण:
con-gi-tag-not-in-force = जीआई का पंजीकरण लागू नहीं है।
con-error-date = तारीख़ लिखें, जैसे 2026-12-31।
con-gi-claims = जीआई दावे
con-gi-claims-none = यह उत्पाद किसी जीआई का दावा नहीं करता।
con-gi-withdraw = दावा वापस लें
con-gi-claim = जीआई का दावा करें
con-gi-claim-choose = किस जीआई का दावा
con-gi-claim-hint = उत्पाद का हर बैच जीआई के क्षेत्र के भीतर से होना चाहिए और पंजीकरण की मान्यता के दौरान बना होना चाहिए।
con-gi-claim-none = इस उत्पाद के लिए, जिस जीआई का दावा अभी नहीं हुआ, उसका आपका कोई पंजीकरण आज मान्य नहीं है।
con-gi-claimed-already = यह उत्पाद इस जीआई का दावा पहले से करता है।
con-saved-gi = जीआई का दावा हो गया।
con-saved-gi-withdrawn = जीआई दावा वापस ले लिया गया।
con-section-procurement = सरकारी खरीदारों (GeM) के लिए
con-local-content = स्थानीय सामग्री (%)
con-local-content-hint = उत्पाद के मूल्य का भारत में बना हिस्सा (मेक इन इंडिया), 0 से 100।
con-lead-time = डिलीवरी का समय (दिन)
con-lead-time-hint = ऑर्डर से डिलीवरी तक के दिन, 1 से 180।
con-channels = बिक्री चैनल
con-channel-ncui_haat = एनसीयूआई हाट
con-channel-gem = जेम (GeM)
con-listing-not_listed = सूचीबद्ध नहीं
con-listing-pending = भेजा गया, चैनल की प्रतीक्षा
con-listing-waiting = { $count ->
    [one] एक बदलाव भेजा जाना बाकी है।
   *[other] { $count } बदलाव भेजे जाने बाकी हैं।
}
con-listing-listed = सूचीबद्ध
con-listing-rejected = अस्वीकृत
con-listing-out_of_sync = सूचीबद्ध, बदलाव की पुष्टि बाकी
con-listing-delisted = हटाया गया
con-listing-reasons = चैनल के कारण:
con-listing-last-error = पिछली विफलता
con-listing-dead = { $count ->
    [one] एक बदलाव भेजा नहीं जा सका।
   *[other] { $count } बदलाव भेजे नहीं जा सके।
}
con-list-on = { $channel } पर सूचीबद्ध करें
con-delist = { $channel } से हटाएँ
con-listing-retry = फिर से कोशिश करें
con-saved-listed = चैनल को भेज दिया गया।
con-saved-delisted = चैनल से हटा दिया गया।
con-saved-retried = चैनल को फिर से भेज दिया गया।
con-import = शीट से उत्पाद आयात करें
con-import-link = शीट से आयात करें
con-import-lead = CSV या एक्सेल (XLSX) शीट से एक साथ कई उत्पाद जोड़ें या बदलें। पहले इसकी जाँच होती है; जब तक आप बिना समस्या वाली शीट आयात नहीं करते, कुछ भी सहेजा नहीं जाता, और तब या तो हर पंक्ति या कोई नहीं।
con-import-template = टेम्पलेट डाउनलोड करें (CSV)
con-import-check-heading = शीट की जाँच करें
con-import-file = शीट
con-import-file-hint = CSV या XLSX, टेम्पलेट के कॉलम के साथ, अधिकतम 10 MB।
con-import-mode = पहले से मौजूद उत्पाद
con-import-create-only = अस्वीकार करें: हर उत्पाद नया है
con-import-upsert = उन्हें बदलें (उत्पाद स्लग और SKU से)
con-import-check = शीट जाँचें
con-import-choose = जाँचने के लिए एक शीट चुनें।
con-import-too-large = शीट 10 MB से बड़ी है। इसे छोटी शीटों में बाँटें।
con-import-report = जाँच में क्या मिला
con-import-clean = कोई समस्या नहीं मिली। हर पंक्ति सहेजने के लिए इसे आयात करें।
con-import-problems = { $count ->
    [one] एक समस्या: शीट में ठीक करें और फिर से जाँचें।
   *[other] { $count } समस्याएँ: शीट में ठीक करें और फिर से जाँचें।
}
con-import-problems-caption = पंक्ति और कॉलम के अनुसार समस्याएँ (शीर्षक पंक्ति 1 है)
con-import-row = पंक्ति
con-import-column = कॉलम
con-import-problem = समस्या
con-import-fix = कुछ भी सहेजा नहीं गया।
con-import-apply = अभी आयात करें
con-import-applied = शीट आयात हो गई।
con-import-products = { $count ->
    [one] एक नया उत्पाद
   *[other] { $count } नए उत्पाद
}
con-import-variants = { $count ->
    [one] एक नया पैक
   *[other] { $count } नए पैक
}
con-import-updated = { $count ->
    [one] एक उत्पाद या पैक बदला गया
   *[other] { $count } उत्पाद और पैक बदले गए
}
con-import-another = दूसरी शीट आयात करें

## ऑर्डर और पैसा (तारीख़ें, ऑर्डर और रिफ़ंड की स्थिति, रिफ़ंड, संस्थागत ऑर्डर,
## निपटान, कर्मचारी निमंत्रण, एडमिन सूचियाँ)
con-month-1 = जनवरी
con-month-2 = फ़रवरी
con-month-3 = मार्च
con-month-4 = अप्रैल
con-month-5 = मई
con-month-6 = जून
con-month-7 = जुलाई
con-month-8 = अगस्त
con-month-9 = सितंबर
con-month-10 = अक्तूबर
con-month-11 = नवंबर
con-month-12 = दिसंबर
con-order-status = ऑर्डर
con-ostatus-pending-payment = भुगतान की प्रतीक्षा
con-ostatus-confirmed = पुष्ट (बाद में भुगतान)
con-ostatus-paid = भुगतान हुआ
con-ostatus-cancelled = रद्द
con-ostatus-partially-refunded = आंशिक रिफ़ंड हुआ
con-ostatus-refunded = रिफ़ंड हुआ
con-rstatus-pending = रिफ़ंड भेजा गया, नतीजे की प्रतीक्षा
con-rstatus-succeeded = रिफ़ंड हुआ
con-rstatus-failed = रिफ़ंड विफल
con-refund = रिफ़ंड
con-refunds = रिफ़ंड
con-refund-amount = राशि (₹)
con-refund-amount-hint = अब तक बिना रिफ़ंड की पूरी राशि लौटाने के लिए ख़ाली छोड़ें: { $amount }।
con-refund-reason = पैसा क्यों लौटाया जा रहा है
con-refunded = रिफ़ंड { $amount }
con-done-refund = रिफ़ंड दर्ज हो गया।
con-consignees = प्राप्तकर्ता (कंसाइनी)
con-consignee-state = राज्य कोड { $code }
con-gem-contract = जेम अनुबंध
con-payment-terms = भुगतान की शर्त: स्वीकृति से { $days } दिन
con-acceptance = स्वीकृति
con-prc = अस्थायी प्राप्ति (पीआरसी) { $date }
con-crac = स्वीकार हुआ (सीआरएसी) { $date }
con-acceptance-waiting = प्राप्तकर्ता ने अभी स्वीकार नहीं किया।
con-accepted-units = स्वीकार
con-rejected-units = अस्वीकार
con-ordered-units = ऑर्डर किए
con-nav-money = पैसा
con-money = निपटान विवरण
con-money-lead = चुनी गई तारीख़ों में बाज़ार ने आपकी सहकारी समिति के लिए कितना पैसा लिया, कितना लौटाया, कितना टीसीएस रखा और कितना आपको देना है।
con-st-from = से
con-st-to = तक
con-st-show = दिखाएँ
con-st-csv = सीएसवी के रूप में डाउनलोड करें
con-st-invoices = इनवॉइस
con-st-gross = कुल बिक्री (कर सहित)
con-st-taxable = कर योग्य मूल्य
con-st-gst = जीएसटी
con-st-collected = बाज़ार को मिला पैसा
con-st-refunds = लौटाया गया पैसा
con-st-tcs = रखा गया टीसीएस
con-st-tcs-cgst = इसमें सीजीएसटी
con-st-tcs-sgst = इसमें एसजीएसटी या यूटीजीएसटी
con-st-tcs-igst = इसमें आईजीएसटी
con-st-net = सहकारी समिति को देय शुद्ध राशि
con-error-period = अवधि आगे की ओर हो और एक साल से अधिक न हो।
con-nav-staff = कर्मचारी
con-staff = कर्मचारी
con-role-manager = प्रबंधक
con-role-staff = कर्मचारी
con-invite = किसी कर्मचारी को आमंत्रित करें
con-invite-lead = उन्हें पासवर्ड चुनने के लिंक वाला ईमेल मिलेगा; निमंत्रण 7 दिन तक मान्य है।
con-invite-name = उनका नाम
con-invite-role = भूमिका
con-invite-send = निमंत्रण भेजें
con-invited = { $email } को निमंत्रण भेजा गया।
con-invitation = अपनी सहकारी समिति के कर्मचारियों में शामिल हों
con-invitation-lead = निमंत्रण स्वीकार करने के लिए पासवर्ड चुनें; अब से आप इसी और अपने ईमेल पते से साइन इन करेंगे।
con-invitation-signed-in = आप साइन इन हैं: निमंत्रण स्वीकार करें और यह खाता सहकारी समिति के कर्मचारियों में जुड़ जाएगा।
con-invitation-password = पासवर्ड चुनें
con-invitation-password-hint = कम से कम 10 अक्षर।
con-invitation-accept = निमंत्रण स्वीकार करें
con-nav-registers = रजिस्टर
con-reg-nav = रजिस्टर
con-reg-categories = श्रेणियाँ
con-reg-category = श्रेणी
con-reg-gst-rate = जीएसटी दर
con-reg-food = खाद्य
con-reg-districts = ज़िले
con-reg-district-name = ज़िले का नाम
con-reg-district-add = ज़िला जोड़ें
con-reg-done-district = ज़िला जुड़ गया।
con-reg-buyers = संस्थागत ख़रीदार
con-reg-org-name = संस्था का नाम
con-reg-org-kind = प्रकार
con-reg-org-kind-hint = जैसे CENTRAL_GOVERNMENT_DEPARTMENT, PSU या COOPERATIVE।
con-reg-org-gem = जेम ख़रीदार आईडी (वैकल्पिक)
con-reg-org-add = संस्था जोड़ें
con-reg-done-organisation = संस्था जुड़ गई।
con-reg-no-users = अभी कोई उपयोगकर्ता नहीं।
con-reg-user-name = उपयोगकर्ता का नाम
con-reg-user-add = उपयोगकर्ता जोड़ें
con-reg-done-user = उपयोगकर्ता का खाता तैयार है: वे अभी साइन इन कर सकते हैं।
con-reg-gi = जीआई अधिकृत उपयोगकर्ता
con-reg-gi-none = कोई पंजीकरण नहीं।
con-reg-au-number = पंजीकरण
con-reg-revoke = रद्द करें
con-reg-done-verified = पंजीकरण सत्यापित हुआ।
con-reg-done-revoked = पंजीकरण रद्द हुआ।
con-au-pending = प्रतीक्षा में
con-au-verified = सत्यापित
con-au-revoked = रद्द

# निपटान विवरण: रेज़रपे रूट (r18c)
con-st-route-transferred = रेज़रपे रूट से सहकारी समिति को भेजी गई राशि
con-st-route-commission = उन पर बाज़ार द्वारा रखा गया कमीशन
con-st-route-on-hold = डिलीवरी तक रोकी गई राशि
con-st-route-released = डिलीवरी पर जारी की गई राशि
con-st-route-reversed = रिफ़ंड के लिए वापस ली गई राशि
con-st-route-owed = रूट के बाहर सहकारी समिति को अभी देय राशि
